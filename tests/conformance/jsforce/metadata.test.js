// jsforce's Metadata API deploy against the emulator: a package with one custom object,
// deployed over SOAP and then used through REST.

const assert = require('node:assert/strict');
const { before, test } = require('node:test');

const { API_VERSION, loadCredentials, soapLogin, zipArchive } = require('./support');

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

let connection;

before(async () => {
  connection = await soapLogin(loadCredentials());
  connection.metadata.pollInterval = 100;
  connection.metadata.pollTimeout = 20000;
});

function gadgetPackage() {
  return zipArchive({
    'package.xml':
      `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="${METADATA_NS}">` +
      '<types><members>Js_Gadget__c</members><name>CustomObject</name></types>' +
      `<version>${API_VERSION}</version></Package>`,
    'objects/Js_Gadget__c.object':
      `<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="${METADATA_NS}">` +
      '<deploymentStatus>Deployed</deploymentStatus>' +
      '<fields><fullName>Serial__c</fullName><label>Serial</label><length>40</length><type>Text</type></fields>' +
      '<label>Gadget</label><nameField><label>Gadget Name</label><type>Text</type></nameField>' +
      '<pluralLabel>Gadgets</pluralLabel><sharingModel>ReadWrite</sharingModel></CustomObject>',
  });
}

test('deploy a custom object and use it', async () => {
  const result = await connection.metadata
    .deploy(gadgetPackage(), { singlePackage: true, rollbackOnError: true })
    .complete(true);
  const describe = await connection.sobject('Js_Gadget__c').describe();
  const created = await connection.sobject('Js_Gadget__c').create({ Name: 'G-1', Serial__c: 'S-1' });

  assert.equal(result.status, 'Succeeded');
  assert.equal(result.success, true);
  assert.ok(describe.fields.some((field) => field.name === 'Serial__c'));
  assert.equal(created.success, true);
});

test('deploy with an invalid field fails', async () => {
  const broken = zipArchive({
    'package.xml':
      `<?xml version="1.0" encoding="UTF-8"?><Package xmlns="${METADATA_NS}">` +
      '<types><members>Js_Broken__c</members><name>CustomObject</name></types>' +
      `<version>${API_VERSION}</version></Package>`,
    'objects/Js_Broken__c.object':
      `<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="${METADATA_NS}">` +
      '<deploymentStatus>Deployed</deploymentStatus>' +
      '<fields><fullName>Size__c</fullName><label>Size</label><type>NoSuchType</type></fields>' +
      '<label>Broken</label><nameField><label>Broken Name</label><type>Text</type></nameField>' +
      '<pluralLabel>Brokens</pluralLabel><sharingModel>ReadWrite</sharingModel></CustomObject>',
  });

  const result = await connection.metadata.deploy(broken, { singlePackage: true, rollbackOnError: true }).complete(true);
  const global = await connection.describeGlobal();

  assert.equal(result.status, 'Failed');
  assert.equal(result.success, false);
  assert.ok(result.numberComponentErrors >= 1);
  assert.ok(!global.sobjects.some((item) => item.name === 'Js_Broken__c'));
});
