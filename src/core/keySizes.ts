// Key and hash sizes shared by the transaction format and addresses, in a
// module with no imports (an address is checked without loading the hashers).
export const PUBKEY_HASH_SIZE = 20;
