/**
 * Published AES-GCM test cases from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)"
 * (test cases 3, 4, 15 and 16; the GCM specification RFC 4106 refers to), for conformance tests of any
 * crypto driver. Hex strings.
 */
export interface GcmVector {
  readonly name: string;
  readonly key: string;
  readonly iv: string;
  readonly aad: string;
  readonly plaintext: string;
  readonly ciphertext: string;
  readonly tag: string;
}

const K128 = 'feffe9928665731c6d6a8f9467308308';
const K256 = `${K128}${K128}`;
const IV = 'cafebabefacedbaddecaf888';
const P64 =
  'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255';
const A20 = 'feedfacedeadbeeffeedfacedeadbeefabaddad2';

export const GCM_VECTORS: readonly GcmVector[] = [
  {
    name: 'McGrew-Viega test case 3 (AES-128, no AAD)',
    key: K128,
    iv: IV,
    aad: '',
    plaintext: P64,
    ciphertext:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4',
  },
  {
    name: 'McGrew-Viega test case 4 (AES-128, 20-byte AAD)',
    key: K128,
    iv: IV,
    aad: A20,
    plaintext: P64.slice(0, 120),
    ciphertext:
      '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47',
  },
  {
    name: 'McGrew-Viega test case 15 (AES-256, no AAD)',
    key: K256,
    iv: IV,
    aad: '',
    plaintext: P64,
    ciphertext:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad',
    tag: 'b094dac5d93471bdec1a502270e3cc6c',
  },
  {
    name: 'McGrew-Viega test case 16 (AES-256, 20-byte AAD)',
    key: K256,
    iv: IV,
    aad: A20,
    plaintext: P64.slice(0, 120),
    ciphertext:
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b',
  },
];

/** Hex string to bytes (test helper; not for data paths). */
export function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
