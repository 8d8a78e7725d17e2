// Types for seclabel.js. The request and response shapes are those of the
// seclabel protocol (engine/PROTOCOL.md); resources are FHIR R4 JSON.

export declare const ABI_VERSION: 1;

/** A stable protocol error code, or "unsupported_module" for a module that cannot be used. */
export type ErrorCode =
  | 'invalid_json' | 'not_fhir' | 'unsupported_resource' | 'invalid_rules' | 'invalid_context'
  | 'invalid_option' | 'too_large' | 'too_deep' | 'cancelled' | 'internal' | 'unsupported_module';

export declare class SeclabelError extends Error {
  readonly code: ErrorCode;
  /** The message without the code. */
  readonly reason: string;
}

/** A FHIR resource or Bundle as an object, its JSON text, or its UTF-8 bytes. */
export type Resource = Record<string, unknown> | string | Uint8Array;

/** A result's resource has the form the resource was given in. */
export type Same<R> = R extends string ? string : R extends Uint8Array ? Uint8Array : Record<string, unknown>;

type Confidentiality = 'U' | 'L' | 'M' | 'N' | 'R' | 'V';

/** Options of engine/PROTOCOL.md ("Options"), e.g. { textMatch: 'all' }; any other name is rejected with invalid_option. */
export interface Options {
  defaultConfidentiality?: Confidentiality;
  envelopeSensitivity?: 'omit' | 'union';
  omitCodes?: string[];
  privacyRevealing?: string[];
  operationOutcome?: boolean;
  /** validate: a labeled resource without a confidentiality code is an error (HCS), not a warning (FHIR core; default false). */
  requireConfidentiality?: boolean;
  /** label: which words rules' text entries are read in (README, "Words"); true is 'all', false 'off' (default 'auto'). */
  textMatch?: 'off' | 'auto' | 'all' | boolean;
  /** label: words found in one element label only that element, inline (default false). */
  textElementOnly?: boolean;
  /** label: the classifier display of labels only words found (default "seclabel text"). */
  textClassifier?: string | { display: string; [member: string]: unknown };
  labelAll?: boolean;
  allowDowngrade?: boolean;
  inlineHighWaterMark?: boolean;
  bundleHighWaterMark?: boolean;
  /** label, redact: the report leaves out its per-resource and per-element lists (labeled, removed, masked); for very large inputs (default false). */
  omitReport?: boolean;
  /** label: 42 CFR Part 2 content also gets RedisclosureProhibitionMark and the 42 CFR 2.32 notice on its meta (default true). */
  part2Notice?: boolean;
  propagate?: string[];
  inherit?: string[];
  minConfidence?: number;
  classifier?: string | { display: string; [member: string]: unknown };
  labelFirst?: boolean;
  audit?: boolean;
  auditTime?: string;
  maxInputBytes?: number;
  maxDepth?: number;
  [option: string]: unknown;
}

/** The name of a rule pack embedded in the engine (README, "The embedded packs"). */
export type EmbeddedPackName = 'us-default' | 'us-broad';

/**
 * A rule pack: the seclabel format, SHARES rules, or FHIR ValueSets (README, "Rule packs"),
 * as an object or its JSON text, or the name of an embedded pack, e.g.
 * rules: ['us-default', 'us-broad', myPack]. The packs given replace the default one;
 * their confidentiality maps combine by the highest level.
 */
export type RulePack = EmbeddedPackName | Record<string, unknown> | (string & {});

export interface AccessContext {
  clearance?: Confidentiality;
  purposeOfUse?: string;
  compartments?: string[];
  deny?: string[];
  allow?: string[];
  [member: string]: unknown;
}

export interface Diagnostic {
  severity: 'error' | 'warning' | 'information';
  code: string;
  location: string;
  message: string;
}

export interface Response<R = Record<string, unknown>> {
  protocol: 1;
  op: 'label' | 'hwm' | 'validate' | 'redact' | 'marks';
  /** The labeled, marked or released resource, in the form given; null when redaction withholds it all. */
  resource?: R | null;
  report: Record<string, unknown>;
  diagnostics: Diagnostic[];
  outcome?: Record<string, unknown>;
  audit?: Record<string, unknown>;
}

/** One rule firing, in a label report's labeled[].matches: on a code, or on words (text, start and end in characters of the element's text, confidence). */
export interface Match {
  rule: string;
  system?: string;
  code?: string;
  path: string;
  text?: string;
  start?: number;
  end?: number;
  confidence?: number;
}

/** Words a rule's text entry found that their context rules out, in a label report's dropped[]. */
export interface Dropped {
  location: string;
  type: string;
  id?: string;
  rule: string;
  path: string;
  text: string;
  start: number;
  end: number;
  reason: 'negated' | 'other-person' | 'hypothetical' | 'other-sense';
  trigger: string;
}

/** One thing to show with a resource (Engine.marks). */
export interface Display {
  location: string;
  kind: 'annotation' | 'label';
  text: string;
  system?: string;
  code?: string;
}

/** The operations of engine/PROTOCOL.md. */
export type Op = 'label' | 'redact' | 'hwm' | 'validate' | 'marks';

export interface Engine {
  /** One raw protocol request; the response text, errors included. */
  request(req: Record<string, unknown> | string): string;
  /** Any operation by its name; the methods below are the same calls. */
  call<R extends Resource>(op: Op, resource: R, opts?: { context?: AccessContext; options?: Options; rules?: RulePack[] }): Response<Same<R>>;
  label<R extends Resource>(resource: R, opts?: { options?: Options; rules?: RulePack[] }): Response<Same<R>>;
  hwm<R extends Resource>(resource: R, opts?: { options?: Options }): Response<Same<R>>;
  validate(resource: Resource, opts?: { options?: Options }): Response;
  redact<R extends Resource>(resource: R, context: AccessContext, opts?: { options?: Options }): Response<Same<R>>;
  /** What must be displayed with the resource and each Bundle entry: extension-display annotations and mark labels. */
  marks(resource: Resource): Display[];
  /**
   * Compile rule packs and default options once for every later call. Each call replaces the whole
   * configuration: rules left out are the embedded US-realm pack again, options left out their defaults.
   */
  configure(config: { rules?: RulePack[]; options?: Options }): void;
  /** The module's linear memory in bytes: it never shrinks, so the most this instance has needed. */
  readonly memoryBytes: number;
}

export interface LoadOptions {
  /**
   * Where the module is: a URL, a fetch Response, its bytes, or a compiled module; in Node also a
   * file path or a file: URL. By default seclabel.wasm beside the package's script (bundlers that
   * follow new URL('./seclabel.wasm', import.meta.url) copy it into the build; in Node it is read
   * from disk).
   */
  wasm?: string | URL | Response | ArrayBuffer | ArrayBufferView | WebAssembly.Module;
  rules?: RulePack[];
  options?: Options;
  /** Receives each line the module writes to stderr (default console.error); not passed to a worker. */
  log?: (line: string) => void;
}

export declare function load(options?: LoadOptions): Promise<Engine>;

/** An Engine in a Web Worker (worker.js): the same methods, each returning a Promise, and the worker. */
export type RemoteEngine = { [K in Exclude<keyof Engine, 'memoryBytes'>]: (...args: Parameters<Engine[K]>) => Promise<ReturnType<Engine[K]>> } & {
  /** The worker the engine runs in: terminate() it when done. */
  readonly worker: Worker;
};

/** The names of the methods connect offers. */
export declare const methods: readonly string[];

/** A module Web Worker on the package's worker.js (browsers only: in Node it throws). */
export declare function createWorker(): Worker;

/**
 * Loads the module in a worker (by default createWorker()) and talks to it. A URL in options is
 * sent as an absolute string, a Response as its bytes; without wasm the worker finds
 * seclabel.wasm beside its script.
 */
export declare function connect(worker?: Worker, options?: LoadOptions): Promise<RemoteEngine>;
export declare function connect(options: LoadOptions): Promise<RemoteEngine>;
