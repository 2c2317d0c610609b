import path from 'node:path';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { loadSync, type EnumTypeDefinition, type MessageTypeDefinition, type PackageDefinition } from '@grpc/proto-loader';
import fc from 'fast-check';

/**
 * Hostile requests for every RPC, derived from the .proto descriptors: each request is a plain object keyed by
 * field name (readable in a counterexample) that encodeRequest turns into wire bytes, with values a well-behaved
 * client would never send (integers beyond their type, control characters, huge strings and lists, raw bytes in a
 * string field). Known ids (seeds) are mixed in so that some requests get past the lookups to the deeper paths.
 */

/** A field as proto-loader describes it (DescriptorProto, keepCase). */
interface FieldDescriptor {
  name: string;
  number: number;
  label: 'LABEL_OPTIONAL' | 'LABEL_REPEATED' | 'LABEL_REQUIRED';
  type: string;
  typeName: string;
}

/** A field's value: a string field may hold raw bytes (maybe not UTF-8); an integer may be beyond its type. */
type Scalar = string | Uint8Array | number | bigint | boolean;
export type FuzzMessage = { [field: string]: Scalar | FuzzMessage | (Scalar | FuzzMessage)[] };

/** Plausible values of the fields whose name matches: known ids and codes, so that a request can pass validation. */
export type FuzzSeeds = [field: RegExp, values: string[]][];

/** hostile: every value hostile and any field missing; plausible: all fields set to values that could be valid, now and then a hostile one. */
type Mode = 'hostile' | 'plausible';

export interface FuzzMethod {
  /** /package.Service/Method */
  path: string;
  requestType: string;
  /** A server stream (answered by messages until it ends). */
  responseStream: boolean;
}

const PROTO_ROOT = path.join(__dirname, '../../proto');
const SERVICE_FILES = [
  'restock/inventory/v1/inventory_service.proto',
  'restock/orders/v1/orders_service.proto',
  'restock/procurement/v1/procurement_service.proto',
  'restock/operations/v1/operations_service.proto',
];

/** More elements than any repeated field allows (the limit is 1,000), in the rare "bulk" case. */
const BULK_MAX = 3000;
const TIMESTAMP = 'google.protobuf.Timestamp';
const LATEST_SECONDS = 253402300799; // 9999-12-31T23:59:59Z

const INTEGER_EDGES = [0n, 1n, -1n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];
const HOSTILE_STRINGS = [
  '',
  ' ',
  "'; DROP TABLE orders.order_line; --",
  "' OR '1'='1",
  '%',
  '_',
  '\\',
  '\0',
  'a\0b',
  '\x1b[31m',
  '\r\n',
  '\u0085',
  '\u202e',
  '\ud800',
  '\uffff',
  '\ufeff',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x7fffffff',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${process.exit()}',
  '*/5 * * * *',
  '99999999999999999999999999',
  'Europe/Nowhere',
];

export class FuzzRequests {
  readonly methods: FuzzMethod[];
  private readonly pkg: PackageDefinition;
  private readonly cache = new Map<string, fc.Arbitrary<FuzzMessage>>();
  private readonly strings: fc.Arbitrary<string | Uint8Array>;

  /** seeds: ids, SKUs and codes that exist on the server under test, by the fields they go in. */
  constructor(private readonly seeds: FuzzSeeds) {
    this.pkg = loadSync(SERVICE_FILES, { includeDirs: [PROTO_ROOT], keepCase: true });
    this.methods = Object.values(this.pkg).flatMap((definition) =>
      'format' in definition ? [] : Object.values(definition).map((method) => ({ path: method.path, requestType: this.requestTypeOf(method.path, method.requestType), responseStream: method.responseStream })),
    );
    const known = seeds.flatMap(([, values]) => values);
    this.strings = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...known) },
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...known), fc.constantFrom(...HOSTILE_STRINGS)).map(([seed, hostile]) => seed + hostile) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 24 }) },
    );
  }

  /** Requests of a message type, field by field: hostile throughout, or plausible with a hostile value here and there. */
  request(typeName: string): fc.Arbitrary<FuzzMessage> {
    return fc.oneof({ weight: 1, arbitrary: this.message(typeName, 'hostile', false, 0) }, { weight: 2, arbitrary: this.message(typeName, 'plausible', false, 0) });
  }

  /** Wire bytes of a request. */
  encode(typeName: string, message: FuzzMessage): Uint8Array {
    const writer = new BinaryWriter();
    this.write(writer, typeName, message);
    return writer.finish();
  }

  /** Bytes that are not a request: random, or an encoded request truncated or with a byte changed. */
  rawBytes(typeName: string): fc.Arbitrary<Uint8Array> {
    const encoded = this.request(typeName).map((message) => this.encode(typeName, message));
    return fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.tuple(encoded, fc.nat()).map(([bytes, cut]) => bytes.slice(0, bytes.length === 0 ? 0 : cut % bytes.length)),
      fc.tuple(encoded, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([bytes, at, byte]) => {
        const changed = bytes.slice();
        if (changed.length > 0) changed[at % changed.length] = byte;
        return changed;
      }),
    );
  }

  /** inBulk: inside a list of many elements, where strings stay short and lists small, to keep messages bounded. */
  private message(typeName: string, mode: Mode, inBulk: boolean, depth: number): fc.Arbitrary<FuzzMessage> {
    const key = `${typeName}/${mode}/${inBulk}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    if (depth > 8) return fc.constant({});
    const fields: Record<string, fc.Arbitrary<FuzzMessage[string]>> = {};
    for (const field of this.fields(typeName)) {
      const hostile = this.value(typeName, field, 'hostile', inBulk, depth);
      const value = mode === 'hostile' ? hostile : fc.oneof({ weight: 19, arbitrary: this.value(typeName, field, 'plausible', inBulk, depth) }, { weight: 1, arbitrary: hostile });
      fields[field.name] = field.label === 'LABEL_REPEATED' ? this.repeated(typeName, field, value, mode, inBulk, depth) : value;
    }
    let arbitrary = (mode === 'hostile' ? fc.record(fields, { requiredKeys: [] }) : fc.record(fields)) as fc.Arbitrary<FuzzMessage>;
    if (typeName === TIMESTAMP) {
      const seconds = (min: number, max: number) => fc.record({ seconds: fc.integer({ min, max }), nanos: fc.integer({ min: 0, max: 999_999_999 }) });
      const now = Math.floor(Date.now() / 1000);
      const nearNow = seconds(now - 10_000_000, now + 10_000_000);
      arbitrary = mode === 'hostile' ? fc.oneof(seconds(0, LATEST_SECONDS), nearNow, arbitrary) : nearNow;
    }
    this.cache.set(key, arbitrary);
    return arbitrary;
  }

  private repeated(typeName: string, field: FieldDescriptor, element: fc.Arbitrary<Scalar | FuzzMessage>, mode: Mode, inBulk: boolean, depth: number) {
    const few = fc.array(element, { minLength: mode === 'plausible' ? 1 : 0, maxLength: 4 });
    if (inBulk) return few;
    const bulkElement = field.type === 'TYPE_MESSAGE' ? this.message(this.resolve(typeName, field.typeName), mode, true, depth + 1) : element;
    const copies = (min: number, max: number) => fc.tuple(bulkElement, fc.integer({ min, max })).map(([one, count]) => Array.from({ length: count }, () => one));
    const distinct = fc.array(bulkElement, { minLength: 20, maxLength: 1200 });
    return fc.oneof({ weight: 12, arbitrary: few }, { weight: 1, arbitrary: copies(900, BULK_MAX) }, { weight: 1, arbitrary: distinct });
  }

  private value(typeName: string, field: FieldDescriptor, mode: Mode, inBulk: boolean, depth: number): fc.Arbitrary<Scalar | FuzzMessage> {
    if (mode === 'plausible' && field.type !== 'TYPE_MESSAGE') return this.plausible(typeName, field);
    switch (field.type) {
      case 'TYPE_STRING':
        return inBulk ? this.strings : fc.oneof({ weight: 20, arbitrary: this.strings }, { weight: 1, arbitrary: hugeString() });
      case 'TYPE_BYTES':
        return fc.uint8Array({ maxLength: inBulk ? 16 : 4096 });
      case 'TYPE_BOOL':
        return fc.boolean();
      case 'TYPE_DOUBLE':
      case 'TYPE_FLOAT':
        return fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1, -1, Number.MAX_VALUE, Number.MIN_VALUE, Infinity, -Infinity));
      case 'TYPE_INT32':
      case 'TYPE_INT64':
      case 'TYPE_UINT32':
      case 'TYPE_UINT64':
      case 'TYPE_SINT32':
      case 'TYPE_SINT64':
        return integers();
      case 'TYPE_ENUM': {
        const known = this.enumValues(this.resolve(typeName, field.typeName));
        return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: integers() });
      }
      case 'TYPE_MESSAGE':
        return this.message(this.resolve(typeName, field.typeName), mode, inBulk, depth + 1);
      default:
        throw new Error(`fuzz requests: field ${typeName}.${field.name} has type ${field.type}, which the generator does not know yet`);
    }
  }

  /** A value that could be valid for the field: a seed for its name, a small positive number, a known enum value. */
  private plausible(typeName: string, field: FieldDescriptor): fc.Arbitrary<Scalar> {
    switch (field.type) {
      case 'TYPE_STRING': {
        const seeded = this.seeds.find(([pattern]) => pattern.test(field.name));
        if (seeded) return fc.constantFrom(...seeded[1]);
        if (/request_id|idempotency/.test(field.name)) return fc.uuid();
        return fc.stringMatching(/^[A-Za-z0-9 .-]{1,20}$/);
      }
      case 'TYPE_BOOL':
        return fc.boolean();
      case 'TYPE_DOUBLE':
      case 'TYPE_FLOAT':
        return fc.double({ min: 0, max: 100, noNaN: true });
      case 'TYPE_ENUM':
        return fc.constantFrom(...this.enumValues(this.resolve(typeName, field.typeName)).filter((n) => n !== 0));
      case 'TYPE_BYTES':
        return fc.uint8Array({ maxLength: 16 });
      default:
        return field.name === 'nanos' ? fc.constant(0n) : fc.bigInt({ min: 0n, max: 10n });
    }
  }

  private write(writer: BinaryWriter, typeName: string, message: FuzzMessage): void {
    for (const field of this.fields(typeName)) {
      const value = message[field.name];
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) this.writeOne(writer, typeName, field, one);
    }
  }

  private writeOne(writer: BinaryWriter, typeName: string, field: FieldDescriptor, value: Scalar | FuzzMessage): void {
    if (field.type === 'TYPE_MESSAGE') {
      writer.tag(field.number, WireType.LengthDelimited).fork();
      this.write(writer, this.resolve(typeName, field.typeName), value as FuzzMessage);
      writer.join();
    } else if (value instanceof Uint8Array) {
      writer.tag(field.number, WireType.LengthDelimited).bytes(value);
    } else if (typeof value === 'string') {
      writer.tag(field.number, WireType.LengthDelimited).string(value);
    } else if (typeof value === 'boolean') {
      writer.tag(field.number, WireType.Varint).bool(value);
    } else if (field.type === 'TYPE_DOUBLE') {
      writer.tag(field.number, WireType.Bit64).double(Number(value));
    } else if (field.type === 'TYPE_FLOAT') {
      writer.tag(field.number, WireType.Bit32).float(Number(value));
    } else if (field.type === 'TYPE_SINT32' || field.type === 'TYPE_SINT64') {
      writer.tag(field.number, WireType.Varint).sint64(BigInt(value as number | bigint));
    } else {
      // Any integer as a 64-bit varint: what a client writing an int64 into an int32 field would send.
      writer.tag(field.number, WireType.Varint).int64(BigInt(value as number | bigint));
    }
  }

  private fields(typeName: string): FieldDescriptor[] {
    return ((this.definition(typeName) as MessageTypeDefinition<object, object>).type as { field: FieldDescriptor[] }).field;
  }

  private enumValues(typeName: string): number[] {
    return ((this.definition(typeName) as EnumTypeDefinition).type as { value: { number: number }[] }).value.map((value) => value.number);
  }

  private definition(typeName: string) {
    const definition = this.pkg[typeName];
    if (!definition || !('format' in definition)) throw new Error(`fuzz requests: no message or enum ${typeName}`);
    return definition;
  }

  /** The full name of a method's request type: proto-loader gives its simple name; it lives in the service's package. */
  private requestTypeOf(methodPath: string, type: MessageTypeDefinition<object, object>): string {
    const servicePackage = methodPath.split('/')[1].split('.').slice(0, -1).join('.');
    const name = `${servicePackage}.${(type.type as { name: string }).name}`;
    if (!this.pkg[name]) throw new Error(`fuzz requests: the request type of ${methodPath} is not ${name}; teach requestTypeOf where it is`);
    return name;
  }

  /** A field's type name as written in the .proto (relative to the message's scope) → its full name. */
  private resolve(scope: string, name: string): string {
    if (name.startsWith('.')) return name.slice(1);
    for (let parts = scope.split('.'); parts.length > 0; parts.pop()) {
      const candidate = `${parts.join('.')}.${name}`;
      if (this.pkg[candidate]) return candidate;
    }
    return name;
  }
}

function integers(): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.bigInt({ min: -3n, max: 12n }) },
    { weight: 3, arbitrary: fc.constantFrom(...INTEGER_EDGES) },
    { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) },
  );
}

function hugeString(): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom('x', 'é', '😀', '\0', "'"), fc.integer({ min: 1_000, max: 200_000 })).map(([unit, count]) => unit.repeat(count));
}
