// SPDX-License-Identifier: GPL-3.0-or-later
#include "connectiondialog.h"
#include "qtext.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <exception>

namespace sightline {

namespace {

constexpr int kMaxResultChars = 160;

struct HealthOutcome {
    bool ok = false;
    QString message;
};

bool validUrl(const QString &text)
{
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

} // namespace

ConnectionDialog::ConnectionDialog(QWidget *parent) : QDialog(parent)
{
    m_name = new QLineEdit;
    m_url = new QLineEdit;
    m_urlHint = new QLabel;
    m_urlHint->setTextFormat(Qt::PlainText);
    m_urlHint->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_auth = new QComboBox;
    m_auth->addItems({QString(), QString(), QString()});
    m_token = new QLineEdit;
    m_token->setEchoMode(QLineEdit::Password);
    m_username = new QLineEdit;
    m_password = new QLineEdit;
    m_password->setEchoMode(QLineEdit::Password);
    m_insecure = new QCheckBox;
    m_caFile = new QLineEdit;
    m_browse = new QPushButton;
    m_caRow = new QWidget;
    auto *caLayout = new QHBoxLayout(m_caRow);
    caLayout->setContentsMargins(0, 0, 0, 0);
    caLayout->addWidget(m_caFile, 1);
    caLayout->addWidget(m_browse);
    m_test = new QPushButton;
    m_result = new QLabel;
    m_result->setTextFormat(Qt::PlainText);
    m_result->setWordWrap(false);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->setMinimumWidth(0);
    m_result->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_form = new QFormLayout;
    m_form->addRow(QString(), m_name);
    m_form->addRow(QString(), m_url);
    m_form->addRow(QString(), m_urlHint);
    m_form->addRow(QString(), m_auth);
    m_form->addRow(QString(), m_token);
    m_form->addRow(QString(), m_username);
    m_form->addRow(QString(), m_password);
    m_form->addRow(QString(), m_insecure);
    m_form->addRow(QString(), m_caRow);

    auto *testRow = new QHBoxLayout;
    testRow->addWidget(m_test);
    testRow->addWidget(m_result, 1);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addSpacing(6);
    layout->addLayout(testRow);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_auth, &QComboBox::currentIndexChanged, this, &ConnectionDialog::updateAuthFields);
    connect(m_name, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::validate);
    connect(m_browse, &QPushButton::clicked, this, &ConnectionDialog::browseCaFile);
    connect(m_test, &QPushButton::clicked, this, &ConnectionDialog::testConnection);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    retranslateUi();
    updateAuthFields();
    validate();
    resize(520, sizeHint().height());
}

ConnectionDialog::~ConnectionDialog() = default;

void ConnectionDialog::retranslateUi()
{
    setWindowTitle(tr("Connect to an MLflow server"));
    auto label = [this](QWidget *field, const QString &text) {
        if (auto *l = qobject_cast<QLabel *>(m_form->labelForField(field)))
            l->setText(text);
    };
    label(m_name, tr("&Name:"));
    label(m_url, tr("&URL:"));
    label(m_auth, tr("&Authentication:"));
    label(m_token, tr("&Token:"));
    label(m_username, tr("U&ser name:"));
    label(m_password, tr("&Password:"));
    label(m_caRow, tr("&CA certificate:"));
    m_name->setPlaceholderText(tr("e.g. team-tracking"));
    m_url->setPlaceholderText(tr("https://mlflow.example.com"));
    m_urlHint->setText(tr("The tracking server's base address, without /api."));
    m_auth->setItemText(0, tr("None"));
    m_auth->setItemText(1, tr("Bearer token"));
    m_auth->setItemText(2, tr("User name and password"));
    m_token->setPlaceholderText(tr("Kept in the system keychain, never in files"));
    m_password->setPlaceholderText(tr("Kept in the system keychain, never in files"));
    m_insecure->setText(tr("Skip TLS certificate verification (unsafe)"));
    m_caFile->setPlaceholderText(tr("System certificates"));
    m_browse->setText(tr("Browse…"));
    m_test->setText(tr("Test connection"));
}

void ConnectionDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslateUi();
    QDialog::changeEvent(event);
}

void ConnectionDialog::updateAuthFields()
{
    const int kind = m_auth->currentIndex();
    m_form->setRowVisible(m_token, kind == 1);
    m_form->setRowVisible(m_username, kind == 2);
    m_form->setRowVisible(m_password, kind == 2);
}

void ConnectionDialog::validate()
{
    const bool ok = !m_name->text().trimmed().isEmpty() && validUrl(m_url->text());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(ok);
    m_test->setEnabled(validUrl(m_url->text()) && !m_testing);
}

void ConnectionDialog::browseCaFile()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("CA certificate"), m_caFile->text(),
        tr("Certificates (*.pem *.crt *.cer);;All files (*)"));
    if (!file.isEmpty())
        m_caFile->setText(file);
}

void ConnectionDialog::setConnection(const MlflowConnection &c)
{
    m_name->setText(qs(c.name));
    m_url->setText(qs(c.baseUrl));
    m_auth->setCurrentIndex(c.auth.kind == HttpAuth::Kind::Bearer  ? 1
                            : c.auth.kind == HttpAuth::Kind::Basic ? 2
                                                                   : 0);
    m_token->setText(qs(c.auth.token));
    m_username->setText(qs(c.auth.username));
    m_password->setText(qs(c.auth.password));
    m_insecure->setChecked(c.insecureTls);
    m_caFile->setText(qs(c.caBundlePath));
    m_result->clear();
}

MlflowConnection ConnectionDialog::connection() const
{
    MlflowConnection c;
    c.name = m_name->text().trimmed().toStdString();
    QString url = m_url->text().trimmed();
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    c.baseUrl = url.toStdString();
    switch (m_auth->currentIndex()) {
    case 1:
        c.auth.kind = HttpAuth::Kind::Bearer;
        c.auth.token = m_token->text().toStdString();
        break;
    case 2:
        c.auth.kind = HttpAuth::Kind::Basic;
        c.auth.username = m_username->text().toStdString();
        c.auth.password = m_password->text().toStdString();
        break;
    default:
        break;
    }
    c.insecureTls = m_insecure->isChecked();
    c.caBundlePath = m_caFile->text().trimmed().toStdString();
    return c;
}

void ConnectionDialog::testConnection()
{
    const quint64 token = ++m_testToken;
    m_testing = true;
    validate();
    m_result->setStyleSheet(QString());
    m_result->setText(tr("Testing…"));
    m_result->setToolTip(QString());

    auto *watcher = new QFutureWatcher<HealthOutcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, token] {
        watcher->deleteLater();
        if (token != m_testToken)
            return;
        m_testing = false;
        validate();
        const HealthOutcome outcome = watcher->result();
        showResult(outcome.ok, outcome.message);
    });
    // The worker gets its own copy of the profile and its own client.
    watcher->setFuture(QtConcurrent::run([connection = connection()]() {
        HealthOutcome outcome;
        try {
            HttpOptions options;
            options.connectTimeoutMs = 5000;
            options.totalTimeoutMs = 15000;
            options.maxRetries = 0;
            MlflowClient client(connection, options);
            auto health = client.checkHealth();
            outcome.ok = health.ok();
            outcome.message = health.ok() ? qs(*health) : qs(health.error().message);
        } catch (const std::exception &e) {
            outcome.message = QString::fromUtf8(e.what());
        }
        return outcome;
    }));
}

QString ConnectionDialog::scrubSecrets(QString text) const
{
    // Error texts never carry secrets by design; this makes sure of it for what is shown.
    for (const QString &secret : {m_token->text(), m_password->text()})
        if (secret.size() >= 3)
            text.replace(secret, QStringLiteral("••••"));
    return text;
}

void ConnectionDialog::showResult(bool ok, const QString &rawMessage)
{
    QString message = scrubSecrets(rawMessage).simplified();
    message = ok ? tr("Connected: %1 answered.").arg(message)
                 : tr("Failed: %1").arg(message);
    const QString full = message;
    if (message.size() > kMaxResultChars)
        message = message.left(kMaxResultChars - 1) + QChar(0x2026);
    m_result->setText(message);
    m_result->setToolTip(QStringLiteral("<qt>") + full.toHtmlEscaped() + QStringLiteral("</qt>"));
    m_result->setStyleSheet(ok ? QStringLiteral("color: #2e7d32;")
                               : QStringLiteral("color: #c62828;"));
    emit testFinished(ok, full);
}

} // namespace sightline
