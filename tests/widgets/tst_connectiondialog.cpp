// SPDX-License-Identifier: GPL-3.0-or-later
// Tests of ConnectionDialog: the profile it returns, which fields show for each kind of
// authentication, validation, and a connection test that fails without revealing the secret.
#include "connectiondialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using namespace sightline;

class TestConnectionDialog : public QObject {
    Q_OBJECT

private slots:
    void roundTripsAProfile();
    void showsFieldsForTheAuthKind();
    void validatesTheUrl();
    void testFailsWithoutShowingTheSecret();
};

void TestConnectionDialog::roundTripsAProfile()
{
    MlflowConnection c;
    c.name = "team";
    c.baseUrl = "https://mlflow.example.com";
    c.auth.kind = HttpAuth::Kind::Basic;
    c.auth.username = "ana";
    c.auth.password = "pw";
    c.insecureTls = true;
    c.caBundlePath = "/etc/ssl/team.pem";
    ConnectionDialog dialog;
    dialog.setConnection(c);
    const MlflowConnection back = dialog.connection();
    QCOMPARE(back.name, c.name);
    QCOMPARE(back.baseUrl, c.baseUrl);
    QVERIFY(back.auth.kind == HttpAuth::Kind::Basic);
    QCOMPARE(back.auth.username, std::string("ana"));
    QCOMPARE(back.auth.password, std::string("pw"));
    QVERIFY(back.auth.token.empty());
    QVERIFY(back.insecureTls);
    QCOMPARE(back.caBundlePath, c.caBundlePath);

    // A trailing slash is dropped; secrets of another kind are not carried.
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:5000/ "));
    dialog.authCombo()->setCurrentIndex(1);
    dialog.tokenEdit()->setText(QStringLiteral("tok"));
    QCOMPARE(dialog.connection().baseUrl, std::string("http://127.0.0.1:5000"));
    QVERIFY(dialog.connection().auth.kind == HttpAuth::Kind::Bearer);
    QVERIFY(dialog.connection().auth.password.empty());
    QCOMPARE(dialog.tokenEdit()->echoMode(), QLineEdit::Password);
}

void TestConnectionDialog::showsFieldsForTheAuthKind()
{
    ConnectionDialog dialog;
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.authCombo()->setCurrentIndex(0);
    QVERIFY(!dialog.tokenEdit()->isVisible());
    QVERIFY(!dialog.passwordEdit()->isVisible());
    dialog.authCombo()->setCurrentIndex(1);
    QVERIFY(dialog.tokenEdit()->isVisible());
    QVERIFY(!dialog.usernameEdit()->isVisible());
    dialog.authCombo()->setCurrentIndex(2);
    QVERIFY(!dialog.tokenEdit()->isVisible());
    QVERIFY(dialog.usernameEdit()->isVisible());
    QVERIFY(dialog.passwordEdit()->isVisible());
}

void TestConnectionDialog::validatesTheUrl()
{
    ConnectionDialog dialog;
    auto *ok = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    dialog.nameEdit()->setText(QStringLiteral("local"));
    dialog.urlEdit()->setText(QStringLiteral("not a url"));
    QVERIFY(!ok->isEnabled());
    QVERIFY(!dialog.testButton()->isEnabled());
    dialog.urlEdit()->setText(QStringLiteral("ftp://example.com"));
    QVERIFY(!ok->isEnabled());
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:5000"));
    QVERIFY(ok->isEnabled());
    QVERIFY(dialog.testButton()->isEnabled());
}

void TestConnectionDialog::testFailsWithoutShowingTheSecret()
{
    ConnectionDialog dialog;
    dialog.nameEdit()->setText(QStringLiteral("refused"));
    dialog.urlEdit()->setText(QStringLiteral("http://127.0.0.1:9"));
    dialog.authCombo()->setCurrentIndex(1);
    dialog.tokenEdit()->setText(QStringLiteral("super-secret-token"));
    QSignalSpy finished(&dialog, &ConnectionDialog::testFinished);
    QTest::mouseClick(dialog.testButton(), Qt::LeftButton);
    QVERIFY(dialog.isTesting());
    QVERIFY(!dialog.testButton()->isEnabled());
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString shown = dialog.testResultLabel()->text();
    QVERIFY(shown.startsWith(QStringLiteral("Failed: ")));
    QVERIFY(!shown.contains(QStringLiteral("super-secret-token")));
    QVERIFY(!shown.contains(QLatin1Char('\n')));
    QVERIFY(!dialog.testResultLabel()->toolTip().contains(QStringLiteral("super-secret-token")));
    QVERIFY(dialog.testButton()->isEnabled());
}

QTEST_MAIN(TestConnectionDialog)
#include "tst_connectiondialog.moc"
