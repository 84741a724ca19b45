// The part of rocksdb-native (a CommonJS package without types) that RocksStore uses.
declare module 'rocksdb-native' {
  interface ReadBatch {
    get(key: Uint8Array): Promise<Buffer | null>;
    tryFlush(): void;
    flush(): Promise<void>;
  }
  interface WriteBatch {
    tryPut(key: Uint8Array, value: Uint8Array): void;
    tryDelete(key: Uint8Array): void;
    tryDeleteRange(start: Uint8Array, end: Uint8Array): void;
    flush(): Promise<void>;
  }
  interface Iterator extends AsyncIterable<{ key: Buffer; value: Buffer }> {
    destroy(): void;
  }
  interface OpenOptions {
    createIfMissing?: boolean;
    maxOpenFiles?: number;
    maxBackgroundJobs?: number;
    writeBufferSize?: number;
    maxWriteBufferNumber?: number;
  }
  class RocksDB {
    constructor(path: string, opts?: OpenOptions);
    ready(): Promise<void>;
    close(): Promise<void>;
    /** Writes the memtables out to table files. */
    flush(): Promise<void>;
    get(key: Uint8Array): Promise<Buffer | null>;
    put(key: Uint8Array, value: Uint8Array): Promise<void>;
    read(opts?: { capacity?: number; autoDestroy?: boolean }): ReadBatch;
    write(opts?: { capacity?: number; autoDestroy?: boolean }): WriteBatch;
    iterator(range: { gte?: Uint8Array; lt?: Uint8Array }, opts?: { limit?: number; capacity?: number }): Iterator;
  }
  export = RocksDB;
}
