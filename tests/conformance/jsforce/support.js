// Shared set-up for the jsforce suites: where the emulator is and how to log in to it.
//
// The pytest wrapper (tests/conformance/test_jsforce.py) starts an emulator and passes
// EMULATOR_CREDENTIALS, the path of its credentials.json, and NODE_EXTRA_CA_CERTS, its
// CA certificate, so that Node's TLS trusts it without any change to jsforce.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');

const jsforce = require('jsforce');

const API_VERSION = '62.0';

/** Read the emulator's credentials.json named by EMULATOR_CREDENTIALS. */
function loadCredentials() {
  const path = process.env.EMULATOR_CREDENTIALS;
  if (!path) {
    throw new Error(
      'EMULATOR_CREDENTIALS is not set. Run the suite through tests/conformance/test_jsforce.py, ' +
        'or set it to the credentials.json of a running emulator',
    );
  }
  return JSON.parse(fs.readFileSync(path, 'utf8'));
}

/** Log in with the SOAP login call and return the connection. */
async function soapLogin(credentials) {
  const connection = new jsforce.Connection({ loginUrl: credentials.login_url, version: API_VERSION });
  await connection.login(credentials.username, credentials.password + credentials.security_token);
  return connection;
}

/** Return a name that no other test run uses. */
function uniqueName(prefix) {
  return `${prefix} ${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Run a check that the emulator is known to fail, and fail only if it passes.
 *
 * This is pytest's xfail(strict=True) for node's runner: once the emulator is fixed, the
 * test fails with a message to remove the mark.
 */
async function expectFailure(context, reason, check) {
  let error = null;
  try {
    await check();
  } catch (caught) {
    error = caught;
  }
  if (error === null) {
    assert.fail(`expected failure now passes, so remove its expectFailure mark: ${reason}`);
  }
  context.diagnostic(`expected failure (${reason}): ${error.message}`);
}

/** Collect a readable stream into one Buffer. */
async function readStream(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

module.exports = { API_VERSION, expectFailure, jsforce, loadCredentials, readStream, soapLogin, uniqueName };
