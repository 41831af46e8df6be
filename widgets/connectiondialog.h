// SPDX-License-Identifier: GPL-3.0-or-later
// ConnectionDialog: adds or edits an MLflow server profile — name, URL, authentication, TLS
// options — and tests it on a worker thread before it is saved.
#pragma once

#include "mlflow/client.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace sightline {

class ConnectionDialog : public QDialog {
    Q_OBJECT

public:
    explicit ConnectionDialog(QWidget *parent = nullptr);
    ~ConnectionDialog() override;

    void setConnection(const MlflowConnection &connection);
    // The profile as entered; secrets are in it only in memory.
    MlflowConnection connection() const;

    // Runs the health check on a worker thread; testFinished() reports the outcome.
    void testConnection();
    bool isTesting() const { return m_testing; }

    QLineEdit *nameEdit() const { return m_name; }
    QLineEdit *urlEdit() const { return m_url; }
    QComboBox *authCombo() const { return m_auth; }
    QLineEdit *tokenEdit() const { return m_token; }
    QLineEdit *usernameEdit() const { return m_username; }
    QLineEdit *passwordEdit() const { return m_password; }
    QCheckBox *insecureTlsCheck() const { return m_insecure; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QPushButton *testButton() const { return m_test; }
    QLabel *testResultLabel() const { return m_result; }

    void retranslateUi();

signals:
    // `message` is one line, never with a secret in it.
    void testFinished(bool ok, const QString &message);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateAuthFields();
    void validate();
    void browseCaFile();
    void showResult(bool ok, const QString &message);
    QString scrubSecrets(QString text) const;

    QFormLayout *m_form = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_url = nullptr;
    QComboBox *m_auth = nullptr;
    QLineEdit *m_token = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_password = nullptr;
    QCheckBox *m_insecure = nullptr;
    QLineEdit *m_caFile = nullptr;
    QPushButton *m_browse = nullptr;
    QWidget *m_caRow = nullptr;
    QPushButton *m_test = nullptr;
    QLabel *m_result = nullptr;
    QLabel *m_urlHint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    quint64 m_testToken = 0;
    bool m_testing = false;
};

} // namespace sightline
