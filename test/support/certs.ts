import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

/** A certificate and its key, as PEM files. */
export interface PemPair {
  cert: string;
  key: string;
}

/** Certificates made for one test file, written to a temporary directory. */
export interface TestCertificates {
  dir: string;
  /** The CA that signs the server's and the clients' certificates. */
  caFile: string;
  /** The server's certificate, for 127.0.0.1 and localhost. */
  server: PemPair;
  /** A client certificate of the CA, subject CN=restock-orders. */
  client: PemPair;
  /** Another CA, and a client certificate it signed (CN=restock-orders too). */
  otherCaFile: string;
  strangerClient: PemPair;
  remove(): Promise<void>;
}

interface Issued {
  cert: forge.pki.Certificate;
  keys: forge.pki.rsa.KeyPair;
}

let serial = 0;

function issue(commonName: string, extensions: object[], issuer?: Issued): Issued {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = `0${(++serial).toString(16)}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer((issuer?.cert ?? cert).subject.attributes);
  cert.setExtensions(extensions);
  cert.sign((issuer?.keys ?? keys).privateKey, forge.md.sha256.create());
  return { cert, keys };
}

function authority(commonName: string): Issued {
  return issue(commonName, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
}

const leaf = (usage: 'serverAuth' | 'clientAuth') => [
  { name: 'basicConstraints', cA: false },
  { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  { name: 'extKeyUsage', [usage]: true },
];

/** Generates a CA, a server certificate for 127.0.0.1/localhost and client certificates, and writes them as PEM files. */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'restock-test-certs-'));
  const write = async (name: string, pem: string) => {
    const file = path.join(dir, name);
    await writeFile(file, pem, { mode: 0o600 });
    return file;
  };
  const pair = async (name: string, issued: Issued): Promise<PemPair> => ({
    cert: await write(`${name}.pem`, forge.pki.certificateToPem(issued.cert)),
    key: await write(`${name}-key.pem`, forge.pki.privateKeyToPem(issued.keys.privateKey)),
  });
  const ca = authority('Restock Test CA');
  const otherCa = authority('Another CA');
  const server = issue('localhost', [...leaf('serverAuth'), { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }], ca);
  return {
    dir,
    caFile: await write('ca.pem', forge.pki.certificateToPem(ca.cert)),
    server: await pair('server', server),
    client: await pair('client', issue('restock-orders', leaf('clientAuth'), ca)),
    otherCaFile: await write('other-ca.pem', forge.pki.certificateToPem(otherCa.cert)),
    strangerClient: await pair('stranger', issue('restock-orders', leaf('clientAuth'), otherCa)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
