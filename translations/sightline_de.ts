<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Building the demo workspace…</source>
        <translation>Demo-Arbeitsbereich wird erstellt…</translation>
    </message>
    <message>
        <source>Sightline</source>
        <translation>Sightline</translation>
    </message>
</context>
<context>
    <name>sightline::ColumnChooser</name>
    <message>
        <source>Columns</source>
        <translation>Spalten</translation>
    </message>
    <message>
        <source>Search keys</source>
        <translation>Schlüssel suchen</translation>
    </message>
    <message>
        <source>Parameters (%1)</source>
        <translation>Parameter (%1)</translation>
    </message>
    <message>
        <source>Metrics (%1)</source>
        <translation>Metriken (%1)</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>Tags (%1)</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <source>Latest</source>
        <translation>Letzter</translation>
    </message>
    <message>
        <source>Min</source>
        <translation>Min</translation>
    </message>
    <message>
        <source>Max</source>
        <translation>Max</translation>
    </message>
    <message>
        <source>Clear all</source>
        <translation>Alle abwählen</translation>
    </message>
    <message>
        <source>1 column chosen</source>
        <translation>1 Spalte gewählt</translation>
    </message>
    <message>
        <source>%1 columns chosen</source>
        <translation>%1 Spalten gewählt</translation>
    </message>
</context>
<context>
    <name>sightline::ConnectionDialog</name>
    <message>
        <source>Connect to an MLflow server</source>
        <translation>Mit einem MLflow-Server verbinden</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;URL:</source>
        <translation>&amp;URL:</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>&amp;Anmeldung:</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>U&amp;ser name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>&amp;Passwort:</translation>
    </message>
    <message>
        <source>&amp;CA certificate:</source>
        <translation>&amp;CA-Zertifikat:</translation>
    </message>
    <message>
        <source>e.g. team-tracking</source>
        <translation>z. B. team-tracking</translation>
    </message>
    <message>
        <source>https://mlflow.example.com</source>
        <translation>https://mlflow.example.com</translation>
    </message>
    <message>
        <source>The tracking server's base address, without /api.</source>
        <translation>Die Basisadresse des Tracking-Servers, ohne /api.</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>Bearer token</source>
        <translation>Bearer-Token</translation>
    </message>
    <message>
        <source>User name and password</source>
        <translation>Benutzername und Passwort</translation>
    </message>
    <message>
        <source>Kept in the system keychain, never in files</source>
        <translation>Wird im Schlüsselbund des Systems gespeichert, nie in Dateien</translation>
    </message>
    <message>
        <source>Skip TLS certificate verification (unsafe)</source>
        <translation>TLS-Zertifikatsprüfung überspringen (unsicher)</translation>
    </message>
    <message>
        <source>System certificates</source>
        <translation>Systemzertifikate</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>Verbindung testen</translation>
    </message>
    <message>
        <source>CA certificate</source>
        <translation>CA-Zertifikat</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Zertifikate (*.pem *.crt *.cer);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation>Wird getestet…</translation>
    </message>
    <message>
        <source>Connected: %1 answered.</source>
        <translation>Verbunden: %1 hat geantwortet.</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>sightline::ExperimentTreeModel</name>
    <message>
        <source>All experiments</source>
        <translation>Alle Experimente</translation>
    </message>
    <message>
        <source>%1 (deleted)</source>
        <translation>%1 (gelöscht)</translation>
    </message>
    <message>
        <source>Runs: %1 · experiments: %2</source>
        <translation>Läufe: %1 · Experimente: %2</translation>
    </message>
    <message>
        <source>%1
Experiment ID %2 · runs: %3</source>
        <translation>%1
Experiment-ID %2 · Läufe: %3</translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>Experiment</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
</context>
<context>
    <name>sightline::MainWindow</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Open Workspace…</source>
        <translation>Arbeitsbereich ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open &amp;Demo Workspace</source>
        <translation>&amp;Demo-Arbeitsbereich öffnen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>&amp;Server</translation>
    </message>
    <message>
        <source>&amp;Connect to Server…</source>
        <translation>Mit Server &amp;verbinden…</translation>
    </message>
    <message>
        <source>&amp;Recent Servers</source>
        <translation>&amp;Letzte Server</translation>
    </message>
    <message>
        <source>&amp;Sync Now</source>
        <translation>Jetzt &amp;synchronisieren</translation>
    </message>
    <message>
        <source>C&amp;ancel Sync</source>
        <translation>Synchronisierung a&amp;bbrechen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Experiments</source>
        <translation>&amp;Experimente</translation>
    </message>
    <message>
        <source>Run &amp;Details</source>
        <translation>Lauf&amp;details</translation>
    </message>
    <message>
        <source>&amp;Columns…</source>
        <translation>&amp;Spalten…</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>Layout &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Sightline</source>
        <translation>&amp;Über Sightline</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop the sync; what was fetched so far is kept</source>
        <translation>Synchronisierung anhalten; bisher Geladenes bleibt erhalten</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>No saved servers</source>
        <translation>Keine gespeicherten Server</translation>
    </message>
    <message>
        <source>Sightline</source>
        <translation>Sightline</translation>
    </message>
    <message>
        <source>%1 — Sightline</source>
        <translation>%1 — Sightline</translation>
    </message>
    <message>
        <source>Cannot read the workspace: %1</source>
        <translation>Der Arbeitsbereich kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Wait for the sync to finish, or cancel it, first.</source>
        <translation>Warten Sie, bis die Synchronisierung fertig ist, oder brechen Sie sie ab.</translation>
    </message>
    <message>
        <source>Open Workspace</source>
        <translation>Arbeitsbereich öffnen</translation>
    </message>
    <message>
        <source>Sightline workspaces (*.sqlite);;All files (*)</source>
        <translation>Sightline-Arbeitsbereiche (*.sqlite);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Building the demo workspace…</source>
        <translation>Demo-Arbeitsbereich wird erstellt…</translation>
    </message>
    <message>
        <source>The demo workspace has no server to sync with.</source>
        <translation>Der Demo-Arbeitsbereich hat keinen Server zum Synchronisieren.</translation>
    </message>
    <message>
        <source>Syncing with %1…</source>
        <translation>Synchronisiere mit %1…</translation>
    </message>
    <message>
        <source>Cancelling the sync…</source>
        <translation>Synchronisierung wird abgebrochen…</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n Minute</numerusform>
            <numerusform>vor %n Minuten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n Stunde</numerusform>
            <numerusform>vor %n Stunden</numerusform>
        </translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>gestern</translation>
    </message>
    <message>
        <source>%1 days ago</source>
        <translation>vor %1 Tagen</translation>
    </message>
    <message>
        <source>No workspace</source>
        <translation>Kein Arbeitsbereich</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>Letzte Synchronisierung: %1</translation>
    </message>
    <message>
        <source>Never synced</source>
        <translation>Nie synchronisiert</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>Demo</translation>
    </message>
    <message>
        <source>Built-in demo data: there is no server to sync with.</source>
        <translation>Eingebaute Demodaten: Es gibt keinen Server zum Synchronisieren.</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>The server could not be reached; showing cached data. %1</source>
        <translation>Der Server ist nicht erreichbar; zwischengespeicherte Daten werden gezeigt. %1</translation>
    </message>
    <message>
        <source>No server connected; showing cached data. Use Server › Connect to Server….</source>
        <translation>Kein Server verbunden; zwischengespeicherte Daten werden gezeigt. Server › Mit Server verbinden… verwenden.</translation>
    </message>
    <message>
        <source>Stale</source>
        <translation>Veraltet</translation>
    </message>
    <message>
        <source>The last sync failed.</source>
        <translation>Die letzte Synchronisierung ist fehlgeschlagen.</translation>
    </message>
    <message>
        <source>The last sync failed: %1</source>
        <translation>Die letzte Synchronisierung ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The cache was last synced more than an hour ago. Press F5 to sync.</source>
        <translation>Der Zwischenspeicher wurde vor über einer Stunde zuletzt synchronisiert. F5 synchronisiert.</translation>
    </message>
    <message>
        <source>About Sightline</source>
        <translation>Über Sightline</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Sightline %1&lt;/h3&gt;&lt;p&gt;A native workbench for machine-learning operations: compare runs, trace lineage, watch drift and approve promotions.&lt;/p&gt;&lt;p&gt;Licensed under the GNU General Public License, version 3 or later.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Sightline %1&lt;/h3&gt;&lt;p&gt;Eine native Werkbank für den Betrieb von Machine Learning: Läufe vergleichen, Herkunft nachverfolgen, Drift beobachten und Freigaben erteilen.&lt;/p&gt;&lt;p&gt;Lizenziert unter der GNU General Public License, Version 3 oder später.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Fetch new runs, running runs, deletions and changed histories</source>
        <translation>Neue und laufende Läufe, Löschungen und geänderte Verläufe abrufen</translation>
    </message>
    <message>
        <source>&amp;Full Sync</source>
        <translation>&amp;Vollständig synchronisieren</translation>
    </message>
    <message>
        <source>List every run on the server again, finished ones included</source>
        <translation>Alle Läufe des Servers erneut abrufen, auch beendete</translation>
    </message>
</context>
<context>
    <name>sightline::RunDetailsView</name>
    <message>
        <source>Select a run to see its parameters, metrics, datasets and tags.</source>
        <translation>Wählen Sie einen Lauf, um Parameter, Metriken, Datensätze und Tags zu sehen.</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Ended</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Lifecycle</source>
        <translation>Lebenszyklus</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>Gelöscht</translation>
    </message>
    <message>
        <source>Artifacts</source>
        <translation>Artefakte</translation>
    </message>
    <message>
        <source>Parent run</source>
        <translation>Übergeordneter Lauf</translation>
    </message>
    <message>
        <source>Child runs (%1)</source>
        <translation>Unterläufe (%1)</translation>
    </message>
    <message>
        <source>and %1 more</source>
        <translation>und %1 weitere</translation>
    </message>
    <message>
        <source>Metrics (%1)</source>
        <translation>Metriken (%1)</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source>min %1 · max %2 · step %3</source>
        <translation>min %1 · max %2 · Schritt %3</translation>
    </message>
    <message>
        <source>Parameters (%1)</source>
        <translation>Parameter (%1)</translation>
    </message>
    <message>
        <source>Datasets (%1)</source>
        <translation>Datensätze (%1)</translation>
    </message>
    <message>
        <source>digest %1</source>
        <translation>Digest %1</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>Quelle</translation>
    </message>
    <message>
        <source>Tags (%1)</source>
        <translation>Tags (%1)</translation>
    </message>
    <message>
        <source>System tags (%1)</source>
        <translation>System-Tags (%1)</translation>
    </message>
</context>
<context>
    <name>sightline::RunTableModel</name>
    <message>
        <source>Running for %1</source>
        <translation>Läuft seit %1</translation>
    </message>
    <message>
        <source>last %1 · min %2 · max %3 · step %4</source>
        <translation>letzter %1 · min %2 · max %3 · Schritt %4</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Experiment</source>
        <translation>Experiment</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Gestartet</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Run ID</source>
        <translation>Lauf-ID</translation>
    </message>
    <message>
        <source>%1 (min)</source>
        <translation>%1 (min)</translation>
    </message>
    <message>
        <source>%1 (max)</source>
        <translation>%1 (max)</translation>
    </message>
    <message>
        <source>Parameter %1</source>
        <translation>Parameter %1</translation>
    </message>
    <message>
        <source>Tag %1</source>
        <translation>Tag %1</translation>
    </message>
    <message>
        <source>Metric %1: lowest value in its history</source>
        <translation>Metrik %1: kleinster Wert im Verlauf</translation>
    </message>
    <message>
        <source>Metric %1: highest value in its history</source>
        <translation>Metrik %1: größter Wert im Verlauf</translation>
    </message>
    <message>
        <source>Metric %1: latest value</source>
        <translation>Metrik %1: letzter Wert</translation>
    </message>
    <message>
        <source>%1s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1m %2s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1h %2m</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1d %2h</source>
        <translation>%1 T %2 h</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Beendet</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Killed</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Geplant</translation>
    </message>
</context>
<context>
    <name>sightline::RunsPane</name>
    <message>
        <source>Filter runs — MLflow syntax, e.g. metrics.val_loss &lt; 0.5 AND params.optimizer = 'adam'</source>
        <translation>Läufe filtern — MLflow-Syntax, z. B. metrics.val_loss &lt; 0.5 AND params.optimizer = 'adam'</translation>
    </message>
    <message>
        <source>Columns…</source>
        <translation>Spalten…</translation>
    </message>
    <message>
        <source>Choose the params, metrics and tags shown as columns</source>
        <translation>Parameter, Metriken und Tags als Spalten wählen</translation>
    </message>
    <message>
        <source>Select one or more experiments (Ctrl+click) to show their runs</source>
        <translation>Ein oder mehrere Experimente wählen (Strg+Klick), um ihre Läufe zu zeigen</translation>
    </message>
    <message>
        <source>MLflow search syntax plus OR and parentheses, evaluated on the cached runs.
Ctrl+F focuses this box, Esc clears it.</source>
        <translation>MLflow-Suchsyntax plus OR und Klammern, ausgewertet auf den zwischengespeicherten Läufen.
Strg+F setzt den Fokus hierher, Esc leert das Feld.</translation>
    </message>
    <message>
        <source>Cannot read the workspace: %1</source>
        <translation>Der Arbeitsbereich kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>No runs</source>
        <translation>Keine Läufe</translation>
    </message>
    <message>
        <source>%1 runs</source>
        <translation>%1 Läufe</translation>
    </message>
    <message>
        <source>%1 of %2 runs</source>
        <translation>%1 von %2 Läufen</translation>
    </message>
    <message>
        <source>Loading runs…</source>
        <translation>Läufe werden geladen…</translation>
    </message>
    <message>
        <source>No runs in this workspace yet.
Connect to an MLflow server and sync (F5) to fetch them.</source>
        <translation>Noch keine Läufe in diesem Arbeitsbereich.
Mit einem MLflow-Server verbinden und synchronisieren (F5), um sie zu laden.</translation>
    </message>
    <message>
        <source>No run matches the filter.</source>
        <translation>Kein Lauf passt zum Filter.</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Geplant</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
</context>
<context>
    <name>sightline::SecretStore</name>
    <message>
        <source>Secrets are kept for this session only.</source>
        <translation>Geheimnisse werden nur für diese Sitzung behalten.</translation>
    </message>
    <message>
        <source>Access to the keychain was refused: the token is kept for this session only.</source>
        <translation>Der Zugriff auf den Schlüsselbund wurde verweigert: Das Token wird nur für diese Sitzung behalten.</translation>
    </message>
    <message>
        <source>No keychain service is running: the token is kept for this session only.</source>
        <translation>Kein Schlüsselbunddienst läuft: Das Token wird nur für diese Sitzung behalten.</translation>
    </message>
</context>
<context>
    <name>sightline::SyncWorker</name>
    <message>
        <source>The sync stopped on an internal error: %1</source>
        <translation>Die Synchronisierung wurde durch einen internen Fehler beendet: %1</translation>
    </message>
    <message>
        <source>The sync stopped on an internal error.</source>
        <translation>Die Synchronisierung wurde durch einen internen Fehler beendet.</translation>
    </message>
    <message>
        <source>Synced %1 runs from %2 experiments, fetched %3 metric histories in %4 s.</source>
        <translation>%1 Läufe aus %2 Experimenten synchronisiert, %3 Metrikverläufe in %4 s geladen.</translation>
    </message>
    <message>
        <source>1 warning.</source>
        <translation>1 Warnung.</translation>
    </message>
    <message>
        <source>%1 warnings.</source>
        <translation>%1 Warnungen.</translation>
    </message>
    <message>
        <source>The sync was cancelled; what was fetched so far is kept.</source>
        <translation>Die Synchronisierung wurde abgebrochen; bisher Geladenes bleibt erhalten.</translation>
    </message>
</context>
</TS>