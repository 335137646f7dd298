// A key-value store in IndexedDB (the accepted bundle can be megabytes, too big for
// localStorage). Where IndexedDB is unavailable (some private modes, some file:// pages) the
// values live in memory for the session: the page still works, it only forgets on close.

const DB = 'dte-verifier';
const STORE = 'kv';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function call(db, mode, action) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const request = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function openStore() {
  try {
    if (typeof indexedDB === 'undefined') throw new Error('no IndexedDB');
    const db = await open();
    return {
      persistent: true,
      get: (key) => call(db, 'readonly', (s) => s.get(key)),
      set: (key, value) => call(db, 'readwrite', (s) => s.put(value, key)),
      delete: (key) => call(db, 'readwrite', (s) => s.delete(key)),
      clear: () => call(db, 'readwrite', (s) => s.clear()),
    };
  } catch {
    const memory = new Map();
    return {
      persistent: false,
      get: async (key) => memory.get(key),
      set: async (key, value) => void memory.set(key, value),
      delete: async (key) => void memory.delete(key),
      clear: async () => memory.clear(),
    };
  }
}
