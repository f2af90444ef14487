// jsforce's REST calls against the emulator: records, queries with paging, sObject
// Collections, composite, files, describe, limits, errors and Bulk API 2.0 queries.

const assert = require('node:assert/strict');
const { before, describe, test } = require('node:test');

const { API_VERSION, loadCredentials, readStream, soapLogin, uniqueName } = require('./support');

const PAGING_RECORDS = 2050;

let connection;

before(async () => {
  connection = await soapLogin(loadCredentials());
});

async function createAccount(name) {
  const result = await connection.sobject('Account').create({ Name: name });
  assert.equal(result.success, true);
  return result.id;
}

describe('records', () => {
  test('create, retrieve, update and destroy', async () => {
    const accountId = await createAccount(uniqueName('jsforce'));
    const requests = connection.sobject('Contract_Request__c');

    const created = await requests.create({ Name: 'jsforce request', Account__c: accountId, Term_Months__c: 12 });
    const record = await requests.retrieve(created.id);
    const updated = await requests.update({ Id: created.id, Status__c: 'Submitted' });
    const afterUpdate = await requests.retrieve(created.id);
    const destroyed = await requests.destroy(created.id);

    assert.equal(created.success, true);
    assert.equal(record.Account__c, accountId);
    assert.equal(record.Status__c, 'Draft');
    assert.equal(record.Term_Months__c, 12);
    assert.equal(updated.success, true);
    assert.equal(afterUpdate.Status__c, 'Submitted');
    assert.equal(destroyed.success, true);
    await assert.rejects(requests.retrieve(created.id), (error) => {
      assert.equal(error.errorCode, 'NOT_FOUND');
      return true;
    });
  });

  test('upsert by external id', async () => {
    const code = uniqueName('JS').replace(' ', '-');
    const types = connection.sobject('Contract_Type__c');

    const created = await types.upsert({ ContractDesk_Code__c: code, Name: 'jsforce NDA' }, 'ContractDesk_Code__c');
    const updated = await types.upsert({ ContractDesk_Code__c: code, Name: 'jsforce MSA' }, 'ContractDesk_Code__c');
    const found = await types.findOne({ ContractDesk_Code__c: code }, ['Id', 'Name']);

    assert.equal(created.success, true);
    assert.equal(updated.success, true);
    assert.equal(found.Id, created.id);
    assert.equal(found.Name, 'jsforce MSA');
  });

  test('missing required field', async () => {
    await assert.rejects(connection.sobject('Account').create({ Industry: 'Energy' }), (error) => {
      assert.equal(error.errorCode, 'REQUIRED_FIELD_MISSING');
      assert.deepEqual(error.data.fields, ['Name']);
      return true;
    });
  });
});

describe('sObject Collections', () => {
  test('upsert many by external id', async () => {
    const codes = [uniqueName('UP').replace(' ', '-'), uniqueName('UP').replace(' ', '-')];
    const types = connection.sobject('Contract_Type__c');
    const existing = await types.create({ ContractDesk_Code__c: codes[0], Name: 'jsforce existing' });

    const results = await types.upsert([
      { ContractDesk_Code__c: codes[0], Name: 'jsforce updated' },
      { ContractDesk_Code__c: codes[1], Name: 'jsforce created' },
    ], 'ContractDesk_Code__c');
    const found = await types.find({ ContractDesk_Code__c: { $in: codes } }, ['Id', 'Name', 'ContractDesk_Code__c']);
    const byCode = Object.fromEntries(found.map((record) => [record.ContractDesk_Code__c, record]));

    assert.equal(results.length, 2);
    assert.equal(results[0].success, true);
    assert.equal(results[0].created, false);
    assert.equal(results[0].id, existing.id);
    assert.equal(results[1].success, true);
    assert.equal(results[1].created, true);
    assert.equal(byCode[codes[0]].Name, 'jsforce updated');
    assert.equal(byCode[codes[1]].Id, results[1].id);
  });

  test('create, update and destroy many', async () => {
    const names = [uniqueName('Many'), uniqueName('Many'), uniqueName('Many')];
    const accounts = connection.sobject('Account');

    const created = await accounts.create(names.map((name) => ({ Name: name })));
    const ids = created.map((result) => result.id);
    const updated = await accounts.update(ids.map((id) => ({ Id: id, Industry: 'Retail' })));
    const found = await accounts.find({ Id: { $in: ids } }, ['Name', 'Industry']).sort('Name');
    const destroyed = await accounts.destroy(ids);

    assert.ok(created.every((result) => result.success));
    assert.ok(updated.every((result) => result.success));
    assert.deepEqual(found.map((record) => record.Name), [...names].sort());
    assert.ok(found.every((record) => record.Industry === 'Retail'));
    assert.deepEqual(destroyed.map((result) => result.id), ids);
    assert.ok(destroyed.every((result) => result.success));
  });

  test('partial failure without allOrNone', async () => {
    const results = await connection.sobject('Contract_Request__c').create([
      { Name: uniqueName('Good') },
      { Name: uniqueName('Bad'), Status__c: 'Nonsense' },
    ]);

    assert.equal(results[0].success, true);
    assert.equal(results[1].success, false);
    assert.equal(results[1].errors[0].statusCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
  });

  test('retrieve many by id', async () => {
    const ids = [await createAccount(uniqueName('Get')), await createAccount(uniqueName('Get'))];

    // jsforce retrieves several records with POST composite/sobjects/{type} and a JSON body.
    const records = await connection.sobject('Account').retrieve(ids, { fields: ['Id', 'Name'] });

    assert.deepEqual(records.map((record) => record.Id), ids);
    assert.ok(records.every((record) => record.Name.startsWith('Get ')));
  });
});

describe('queries', () => {
  let prefix;

  before(async () => {
    prefix = uniqueName('jsPaging');
    const records = [];
    for (let number = 0; number < PAGING_RECORDS; number += 1) {
      records.push({ Name: `${prefix} ${String(number).padStart(5, '0')}` });
    }
    // allowRecursive splits the records into sObject Collections calls of 200.
    const results = await connection.sobject('Account').create(records, { allowRecursive: true });
    assert.ok(results.every((result) => result.success));
  });

  test('first page and queryMore', async () => {
    const first = await connection.query(`SELECT Id, Name FROM Account WHERE Name LIKE '${prefix} %' ORDER BY Name`);
    const second = await connection.queryMore(first.nextRecordsUrl);

    assert.equal(first.totalSize, PAGING_RECORDS);
    assert.equal(first.done, false);
    assert.equal(first.records.length, 2000);
    assert.equal(second.done, true);
    assert.equal(second.records.length, PAGING_RECORDS - 2000);
    assert.equal(second.records[0].Name, `${prefix} 02000`);
  });

  test('autoFetch reads every page', async () => {
    const result = await connection
      .query(`SELECT Id FROM Account WHERE Name LIKE '${prefix} %'`)
      .run({ autoFetch: true, maxFetch: 10000 });

    assert.equal(result.done, true);
    assert.equal(result.records.length, PAGING_RECORDS);
    assert.equal(new Set(result.records.map((record) => record.Id)).size, PAGING_RECORDS);
  });

  test('query builder with conditions and limit', async () => {
    const records = await connection
      .sobject('Account')
      .find({ Name: { $like: `${prefix} 0001%` } }, ['Id', 'Name'])
      .sort({ Name: -1 })
      .limit(3);

    assert.deepEqual(records.map((record) => record.Name), [`${prefix} 00019`, `${prefix} 00018`, `${prefix} 00017`]);
  });

  test('scanAll includes deleted records', async () => {
    const accountId = await createAccount(uniqueName('Deleted'));
    await connection.sobject('Account').destroy(accountId);
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${accountId}'`;

    const live = await connection.query(soql);
    const everything = await connection.query(soql, { scanAll: true });

    assert.equal(live.totalSize, 0);
    assert.equal(everything.records[0].IsDeleted, true);
  });

  test('parent and child relationships', async () => {
    const accountId = await createAccount(uniqueName('Parent'));
    const name = uniqueName('Child');
    await connection.sobject('Contract_Request__c').create({ Name: name, Account__c: accountId });

    const children = await connection.query(`SELECT Name, Account__r.Name FROM Contract_Request__c WHERE Name = '${name}'`);
    const parents = await connection.query(
      `SELECT Id, (SELECT Name FROM Contract_Requests__r) FROM Account WHERE Id = '${accountId}'`,
    );

    assert.match(children.records[0].Account__r.Name, /^Parent /);
    assert.equal(parents.records[0].Contract_Requests__r.records[0].Name, name);
  });

  test('malformed query', async () => {
    await assert.rejects(connection.query('SELECT Id FROM Account WHERE'), (error) => {
      assert.equal(error.errorCode, 'MALFORMED_QUERY');
      return true;
    });
  });

  test('Bulk API 2.0 query', async () => {
    connection.bulk2.pollInterval = 100;
    connection.bulk2.pollTimeout = 10000;

    const stream = await connection.bulk2.query(`SELECT Id, Name FROM Account WHERE Name LIKE '${prefix} %'`);
    const records = await stream.toArray();

    assert.equal(records.length, PAGING_RECORDS);
    assert.equal(new Set(records.map((record) => record.Id)).size, PAGING_RECORDS);
    assert.ok(records.every((record) => record.Name.startsWith(prefix)));
  });
});

describe('composite', () => {
  test('composite request with references', async () => {
    const name = uniqueName('Composite');
    const base = `/services/data/v${API_VERSION}`;

    const result = await connection.requestPost('/composite', {
      allOrNone: true,
      compositeRequest: [
        { method: 'POST', url: `${base}/sobjects/Account`, referenceId: 'account', body: { Name: name } },
        {
          method: 'POST',
          url: `${base}/sobjects/Contract_Request__c`,
          referenceId: 'request',
          body: { Name: `${name} request`, Account__c: '@{account.id}' },
        },
      ],
    });

    assert.deepEqual(result.compositeResponse.map((item) => item.httpStatusCode), [201, 201]);
    assert.match(result.compositeResponse[1].body.id, /^a/);
  });

  test('sObject Tree', async () => {
    const name = uniqueName('Tree');

    const result = await connection.requestPost('/composite/tree/Account', {
      records: [
        {
          attributes: { type: 'Account', referenceId: 'parent' },
          Name: name,
          Contract_Requests__r: {
            records: [{ attributes: { type: 'Contract_Request__c', referenceId: 'child' }, Name: `${name} request` }],
          },
        },
      ],
    });

    assert.equal(result.hasErrors, false);
    assert.deepEqual(result.results.map((item) => item.referenceId).sort(), ['child', 'parent']);
  });
});

describe('files', () => {
  test('ContentVersion upload and VersionData download', async () => {
    const accountId = await createAccount(uniqueName('Files'));
    const body = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(50000, 7)]);

    const created = await connection.sobject('ContentVersion').create({
      Title: 'jsforce draft',
      PathOnClient: 'jsforce draft.pdf',
      VersionData: body.toString('base64'),
      FirstPublishLocationId: accountId,
    });
    const downloaded = await readStream(connection.sobject('ContentVersion').record(created.id).blob('VersionData'));
    const version = await connection.sobject('ContentVersion').retrieve(created.id);

    assert.ok(downloaded.equals(body));
    assert.equal(version.ContentSize, body.length);
    assert.equal(version.FileType, 'PDF');
  });
});

describe('describe and limits', () => {
  test('describe global', async () => {
    const result = await connection.describeGlobal();

    const names = result.sobjects.map((item) => item.name);
    assert.ok(names.includes('Contract_Request__c'));
    assert.ok(names.includes('ContentVersion'));
  });

  test('describe object', async () => {
    const result = await connection.sobject('Contract_Request__c').describe();

    const status = result.fields.find((field) => field.name === 'Status__c');
    assert.equal(result.label, 'Contract Request');
    assert.equal(status.type, 'picklist');
    assert.ok(status.picklistValues.some((value) => value.value === 'Submitted' && value.active));
  });

  test('limits and Sforce-Limit-Info', async () => {
    const limits = await connection.limits();

    assert.ok(limits.DailyApiRequests.Max > 0);
    assert.equal(connection.limitInfo.apiUsage.limit, limits.DailyApiRequests.Max);
    assert.ok(connection.limitInfo.apiUsage.used >= 1);
  });
});
