// Run once by compose's mongo-init (mongosh --nodb) inside mongo1's network namespace:
// initiate the replica set rs0 with its three members, wait for a primary, then make the
// `admin` (root) and `registry` (readWrite and dbAdmin on dte_registry) users with the
// passwords from /run/secrets/. Safe to run again: it authenticates as admin when that user
// exists and creates only what is missing.
const fs = require('fs');
const secret = (name) => fs.readFileSync(`/run/secrets/${name}`, 'utf8').trim();
const MEMBERS = ['mongo1:27017', 'mongo2:27017', 'mongo3:27017'];
const NOT_YET_INITIALIZED = 94;

const admin = new Mongo('mongodb://127.0.0.1:27017/?directConnection=true').getDB('admin');
let authenticated = false;
try {
  authenticated = admin.auth('admin', secret('mongo_admin_password')).ok === 1;
} catch (e) {
  // No admin user yet: the localhost exception is open until the first user exists.
}

const status = admin.runCommand({ replSetGetStatus: 1 });
if (status.ok !== 1 && status.code === NOT_YET_INITIALIZED) {
  const members = MEMBERS.map((host, i) => ({ _id: i, host, priority: i === 0 ? 2 : 1 }));
  printjson(admin.runCommand({ replSetInitiate: { _id: 'rs0', members } }));
} else if (status.ok !== 1) {
  throw new Error(`replSetGetStatus: ${status.codeName} ${status.errmsg}`);
}

for (let i = 0; !admin.hello().isWritablePrimary; i++) {
  if (i > 120) throw new Error('mongo1 did not become primary within 60 s');
  sleep(500);
}

if (!authenticated) {
  admin.createUser({ user: 'admin', pwd: secret('mongo_admin_password'), roles: ['root'] });
  admin.auth('admin', secret('mongo_admin_password'));
}
if (admin.getUser('registry') === null) {
  admin.createUser({
    user: 'registry',
    pwd: secret('mongo_registry_password'),
    roles: [
      { role: 'readWrite', db: 'dte_registry' },
      { role: 'dbAdmin', db: 'dte_registry' },
    ],
    mechanisms: ['SCRAM-SHA-256'],
  });
}
print('replica set rs0 ready');
