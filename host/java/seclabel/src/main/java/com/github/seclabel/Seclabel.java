package com.github.seclabel;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.github.seclabel.internal.SeclabelWasm;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * seclabel in Java: the engine's WebAssembly module (host/seclabel.wasm,
 * turned into JVM bytecode when this jar was built, by Chicory) answering the
 * seclabel protocol (engine/PROTOCOL.md) with the same bytes as every other
 * build.
 *
 * <pre>{@code
 * try (Seclabel seclabel = Seclabel.create()) {
 *     String labeled = seclabel.label(conditionJson).resource();
 *     AccessContext who = AccessContext.builder().clearance("N").deny("HIV", "SUD").build();
 *     String released = seclabel.redact(labeled, who).resource(); // null: withheld
 * }
 * }</pre>
 *
 * <p>Each operation takes the resource as a {@code String} or as UTF-8
 * {@code byte[]} and returns the result in the same form; a failure throws
 * {@link SeclabelException} with the protocol's error code, and never
 * returns part of a result. A Seclabel is safe for concurrent use: it keeps
 * a pool of module instances (by default one per processor), each serving
 * one call at a time, made when first needed. A configure request
 * ({@link #configure}) applies to every instance, current and future.
 */
public final class Seclabel implements AutoCloseable {
    /** The module's answer to a configure request it accepts. */
    static final String CONFIGURED = "{\"protocol\":1,\"op\":\"configure\"}";

    private static final byte[] NONE = new byte[0];

    private final WasmModule module;
    private final Function<Instance, Machine> machine;
    private final int maxPages;
    private final long recycleBytes;
    private final OutputStream stderr;
    /** Free instances; a null is a free slot whose instance is made on use. */
    private final BlockingQueue<Slot> pool;
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean closed;

    // The configure request every instance runs with, and its generation:
    // an instance behind it takes it before its next call.
    private final Object confLock = new Object();
    private byte[] configure;
    private volatile long generation;

    /** A pool entry: an instance, or none yet. */
    private static final class Slot {
        ModuleInstance in;
    }

    private Seclabel(Builder b) {
        this.module = b.module != null ? b.module : SeclabelWasm.load();
        this.machine = b.machine != null ? b.machine : SeclabelWasm::create;
        this.maxPages = (int) (b.memoryLimitBytes / 65536);
        this.recycleBytes = b.recycleBytes;
        this.stderr = b.stderr;
        this.configure = b.configure;
        this.pool = new ArrayBlockingQueue<>(b.instances);
        // The first instance now, so that a bad module or configure request
        // fails here rather than on the first call.
        Slot first = new Slot();
        bringUp(first);
        pool.add(first);
        for (int i = 1; i < b.instances; i++) {
            pool.add(new Slot());
        }
    }

    /** A Seclabel with the defaults: the embedded US-realm rule pack, default options. */
    public static Seclabel create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- Typed operations ----------------------------------------------

    /** Labels a resource or Bundle with the configured rule packs. */
    public Result<String> label(String resource) {
        return call("label", resource, null, null);
    }

    public Result<byte[]> label(byte[] resource) {
        return call("label", resource, null, null);
    }

    /** Writes the high-water mark of a Bundle (or a resource's own confidentiality). */
    public Result<String> hwm(String resource) {
        return call("hwm", resource, null, null);
    }

    public Result<byte[]> hwm(byte[] resource) {
        return call("hwm", resource, null, null);
    }

    /** Redacts a resource or Bundle for one recipient; the resource is null when withheld whole. */
    public Result<String> redact(String resource, AccessContext recipient) {
        return call("redact", resource, requireContext(recipient), null);
    }

    public Result<byte[]> redact(byte[] resource, AccessContext recipient) {
        return call("redact", resource, requireContext(recipient), null);
    }

    /** Validates the security labels; the findings are the result's diagnostics. */
    public Result<String> validate(String resource) {
        return call("validate", resource, null, null);
    }

    public Result<byte[]> validate(byte[] resource) {
        return call("validate", resource, null, null);
    }

    /** Lists what must be displayed with the resource (report.display). */
    public Result<String> marks(String resource) {
        return call("marks", resource, null, null);
    }

    public Result<byte[]> marks(byte[] resource) {
        return call("marks", resource, null, null);
    }

    /**
     * Runs any operation by its protocol name, with the recipient (redact
     * only, else null) and options for this call (a JSON object's text, or
     * null).
     */
    public Result<String> call(String op, String resource, AccessContext recipient, String optionsJson) {
        if (resource == null) {
            throw new SeclabelException("not_fhir", "no resource given");
        }
        byte[] body = utf8(resource, "the resource");
        Parts p = typedCall(op, body, recipient, optionsJson);
        String res = p.resourceLength < 0 ? null : new String(p.bytes, p.resourceOffset, p.resourceLength, StandardCharsets.UTF_8);
        return new Result<>(res, p.envelope());
    }

    public Result<byte[]> call(String op, byte[] resource, AccessContext recipient, String optionsJson) {
        if (resource == null) {
            throw new SeclabelException("not_fhir", "no resource given");
        }
        Parts p = typedCall(op, resource, recipient, optionsJson);
        byte[] res = p.resourceLength < 0 ? null : Arrays.copyOfRange(p.bytes, p.resourceOffset, p.resourceOffset + p.resourceLength);
        return new Result<>(res, p.envelope());
    }

    /**
     * Configures every instance (wasm/ABI.md): rule packs compiled once per
     * instance, default options for later calls. The request is the
     * protocol's, e.g. {@code {"op":"configure","rules":["us-default","us-broad"],"options":{"textMatch":true}}};
     * {@code {"op":"configure"}} restores the defaults. A rejected one throws
     * and leaves the last in force.
     */
    public void configure(String configureRequest) {
        byte[] resp = request(utf8(configureRequest, "the configure request"));
        String text = new String(resp, StandardCharsets.UTF_8);
        if (!text.equals(CONFIGURED)) {
            throw errorOf(resp, 0, resp.length, "configure");
        }
    }

    // ---- The raw protocol -----------------------------------------------

    /**
     * Sends one protocol request as it is and returns the module's response
     * as it is (a request carrying its resource after a NUL byte gets its
     * result that way too). Errors are responses here, not exceptions;
     * failures of the host itself answer the code {@code internal}. A
     * configure request configures the whole pool, as {@link #configure}
     * does.
     */
    public byte[] request(byte[] request) {
        try {
            return run(request, 0, request.length, true).bytes();
        } catch (SeclabelException e) {
            return errorResponse(e);
        }
    }

    /** {@link #request(byte[])} with text. */
    public String request(String request) {
        byte[] b;
        try {
            b = utf8(request, "the request");
        } catch (SeclabelException e) {
            b = errorResponse(e);
            return new String(b, StandardCharsets.UTF_8);
        }
        return new String(request(b), StandardCharsets.UTF_8);
    }

    private static byte[] errorResponse(SeclabelException e) {
        StringBuilder b = new StringBuilder("{\"protocol\":1,\"error\":{\"code\":");
        Json.quote(b, e.code()).append(",\"message\":");
        Json.quote(b, String.valueOf(e.getMessage())).append("}}");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The largest linear memory any instance has had after a call. */
    public long peakMemoryBytes() {
        return peak.get();
    }

    /** Drops every instance; later calls fail with code {@code internal}. */
    @Override
    public void close() {
        closed = true;
        Slot s;
        while ((s = pool.poll()) != null) {
            if (s.in != null) {
                s.in.close();
                s.in = null;
            }
        }
    }

    // ---- Internals -------------------------------------------------------

    private static AccessContext requireContext(AccessContext recipient) {
        if (recipient == null) {
            throw new SeclabelException("invalid_context", "redact needs the recipient's access context");
        }
        return recipient;
    }

    /** A successful response split at its NUL byte; resourceLength -1: no resource, or null. */
    private record Parts(byte[] bytes, int envelopeLength, int resourceOffset, int resourceLength) {
        String envelope() {
            return new String(bytes, 0, envelopeLength, StandardCharsets.UTF_8);
        }
    }

    private Parts typedCall(String op, byte[] resource, AccessContext recipient, String optionsJson) {
        if (op == null || op.equals("configure")) {
            throw new SeclabelException("invalid_option", "use configure() to configure");
        }
        StringBuilder h = new StringBuilder(64).append("{\"op\":");
        Json.quote(h, op);
        if (recipient != null) {
            h.append(",\"context\":").append(recipient.toJson());
        }
        if (optionsJson != null) {
            h.append(",\"options\":").append(optionsJson);
        }
        h.append("}\0");
        byte[] head = utf8(h.toString(), "the request");
        ModuleInstance.Response r = runParts(head, resource, 0, resource.length, false);
        byte[] b = r.bytes();
        if (r.error()) {
            throw errorOf(b, 0, b.length, null);
        }
        int nul = indexOf(b, (byte) 0);
        if (nul < 0) {
            return new Parts(b, b.length, b.length, -1);
        }
        int off = nul + 1;
        int len = b.length - off;
        boolean isNull = len == 4 && b[off] == 'n' && b[off + 1] == 'u' && b[off + 2] == 'l' && b[off + 3] == 'l';
        return new Parts(b, nul, off, isNull ? -1 : len);
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /** The exception an error response stands for. */
    static SeclabelException errorOf(byte[] b, int off, int len, String prefix) {
        Object err;
        try {
            err = ((Map<?, ?>) Json.parse(b, off, len)).get("error");
        } catch (RuntimeException e) {
            err = null;
        }
        String code = Json.string(err, "code");
        String message = Json.string(err, "message");
        if (code == null) {
            return new SeclabelException("internal", "unexpected answer from seclabel.wasm: "
                    + new String(b, off, Math.min(len, 200), StandardCharsets.UTF_8));
        }
        return new SeclabelException(code, prefix == null ? message : prefix + ": " + message);
    }

    /** Strict UTF-8: a string with an unpaired surrogate is not JSON text the module could read as given. */
    private static byte[] utf8(String s, String what) {
        if (s == null) {
            throw new SeclabelException("invalid_json", what + " is null");
        }
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            if (bb.hasArray() && bb.arrayOffset() == 0 && bb.remaining() == bb.array().length) {
                return bb.array();
            }
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new SeclabelException("invalid_json", what + " is not valid UTF-16 text (an unpaired surrogate)");
        }
    }

    private ModuleInstance.Response run(byte[] request, int off, int len, boolean raw) {
        return runParts(NONE, request, off, len, raw);
    }

    /**
     * Runs head + body in a free instance, made when its slot is empty and
     * brought to the last configure request first. A request the module
     * accepts as a configure request becomes every instance's.
     */
    private ModuleInstance.Response runParts(byte[] head, byte[] body, int off, int len, boolean raw) {
        if (closed) {
            throw new SeclabelException("internal", "seclabel: closed");
        }
        Slot slot;
        try {
            slot = pool.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SeclabelException("cancelled", "interrupted while waiting for an instance");
        }
        try {
            if (slot.in == null || slot.in.generation != generation) {
                bringUp(slot);
            }
            ModuleInstance.Response r = exec(slot, head, body, off, len);
            if (raw && !r.error() && Arrays.equals(r.bytes(), CONFIGURED.getBytes(StandardCharsets.UTF_8))) {
                synchronized (confLock) {
                    configure = Arrays.copyOfRange(body, off, off + len);
                    generation++;
                    slot.in.generation = generation;
                }
            }
            return r;
        } finally {
            if (slot.in != null) {
                long size = slot.in.memoryBytes();
                peak.accumulateAndGet(size, Math::max);
                if (size > recycleBytes) {
                    // Linear memory never shrinks: a fresh instance next time.
                    slot.in.close();
                    slot.in = null;
                }
            }
            if (closed && slot.in != null) {
                slot.in.close();
                slot.in = null;
            }
            pool.add(slot);
        }
    }

    /** Runs one request in the slot's instance; any failure drops the instance. */
    private static ModuleInstance.Response exec(Slot slot, byte[] head, byte[] body, int off, int len) {
        try {
            return slot.in.run(head, body, off, len);
        } catch (SeclabelException e) {
            drop(slot);
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            // A trap, the guest exiting on a panic, or the JVM out of stack
            // or heap: the instance's state is unknown.
            drop(slot);
            throw new SeclabelException("internal", "seclabel.wasm failed: " + e, e);
        }
    }

    private static void drop(Slot slot) {
        slot.in.close();
        slot.in = null;
    }

    /** Makes the slot's instance if needed and sends it the current configure request. */
    private void bringUp(Slot slot) {
        byte[] req;
        long gen;
        synchronized (confLock) {
            req = configure;
            gen = generation;
        }
        if (slot.in == null) {
            slot.in = new ModuleInstance(module, machine, maxPages, stderr);
        }
        if (req != null) {
            ModuleInstance.Response r = exec(slot, NONE, req, 0, req.length);
            if (r.error() || !Arrays.equals(r.bytes(), CONFIGURED.getBytes(StandardCharsets.UTF_8))) {
                drop(slot);
                throw errorOf(r.bytes(), 0, r.bytes().length, "configure");
            }
        }
        slot.in.generation = gen;
    }

    /** Settings of a Seclabel; read once, by {@link #build()}. */
    public static final class Builder {
        private int instances = Runtime.getRuntime().availableProcessors();
        private long memoryLimitBytes = 1L << 30;
        private long recycleBytes = 256L << 20;
        private byte[] configure;
        private OutputStream stderr = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        private WasmModule module;
        private Function<Instance, Machine> machine;

        private Builder() {}

        /** Pool size: how many calls run at once. Default: the number of processors. */
        public Builder instances(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("instances must be at least 1");
            }
            instances = n;
            return this;
        }

        /** Caps each instance's linear memory. Default 1 GiB; from 1 MiB to 2 GiB (a Java array's limit). */
        public Builder memoryLimitBytes(long n) {
            if (n < (1 << 20) || n > (32767L << 16)) {
                throw new IllegalArgumentException("memoryLimitBytes must be from 1 MiB to 2 GiB");
            }
            memoryLimitBytes = n;
            recycleBytes = Math.min(recycleBytes, n);
            return this;
        }

        /** An instance whose memory has grown past this is replaced after its call. Default 256 MiB. */
        public Builder recycleBytes(long n) {
            if (n < 0) {
                throw new IllegalArgumentException("recycleBytes must not be negative");
            }
            recycleBytes = n;
            return this;
        }

        /** A configure request (wasm/ABI.md) every instance runs with; build() fails when the module rejects it. */
        public Builder configure(String request) {
            configure = utf8(request, "the configure request");
            return this;
        }

        /** Where guest panics are written. Default System.err. */
        public Builder stderr(OutputStream out) {
            stderr = out;
            return this;
        }

        /**
         * Another form of the module and the machine that runs it, for
         * comparing Chicory's execution modes (the interpreter, the runtime
         * compiler) with the build-time compiled default.
         */
        public Builder module(WasmModule module, Function<Instance, Machine> machine) {
            this.module = module;
            this.machine = machine;
            return this;
        }

        public Seclabel build() {
            if (recycleBytes > memoryLimitBytes) {
                throw new IllegalArgumentException("recycleBytes must not exceed memoryLimitBytes");
            }
            return new Seclabel(this);
        }
    }
}
