// Shared set-up for the jsforce suites: where the emulator is and how to log in to it.
//
// The pytest wrapper (tests/conformance/test_jsforce.py) starts an emulator and passes
// EMULATOR_CREDENTIALS, the path of its credentials.json, and NODE_EXTRA_CA_CERTS, its
// CA certificate, so that Node's TLS trusts it without any change to jsforce.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const zlib = require('node:zlib');

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

/**
 * Build a ZIP archive of text files, as the Metadata API deploy call takes it.
 *
 * Node has no ZIP writer and jsforce ships none, so this writes the format directly:
 * one deflated local entry per file, the central directory, and its end record.
 */
function zipArchive(files) {
  const localParts = [];
  const centralParts = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const compressed = zlib.deflateRawSync(data);
    const crc = zlib.crc32(data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    localParts.push(local, nameBytes, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, nameBytes);

    offset += local.length + nameBytes.length + compressed.length;
  }

  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...localParts, centralDirectory, end]);
}

module.exports = {
  API_VERSION,
  expectFailure,
  jsforce,
  loadCredentials,
  readStream,
  soapLogin,
  uniqueName,
  zipArchive,
};
