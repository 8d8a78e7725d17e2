package com.github.seclabel;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.function.Function;

/**
 * One instance of seclabel.wasm (wasm/ABI.md): initialised, its ABI checked,
 * serving one call at a time. Any failure inside it makes it unusable: the
 * pool drops it and makes a fresh one.
 */
final class ModuleInstance {
    static final int ABI_VERSION = 1;
    private static final long ERROR_BIT = 1L << 31;

    private final WasiPreview1 wasi;
    private final Instance instance;
    private final Memory memory;
    private final ExportFunction inputBuf;
    private final ExportFunction call;
    /** The Seclabel's configure generation this instance last took. */
    long generation;

    ModuleInstance(WasmModule module, Function<Instance, Machine> machine, int maxPages, OutputStream stderr) {
        // No files, arguments or environment: clocks, cryptographic random
        // bytes and stderr (guest panics are written there) are all the
        // module uses.
        WasiOptions options = WasiOptions.builder()
                .withStderr(stderr, false)
                .withRandom(new SecureRandom())
                .build();
        wasi = WasiPreview1.builder().withOptions(options).build();
        try {
            instance = Instance.builder(module)
                    .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
                    .withMachineFactory(machine)
                    .withMemoryFactory(limits -> new ByteArrayMemory(
                            new MemoryLimits(limits.initialPages(), Math.max(limits.initialPages(), Math.min(limits.maximumPages(), maxPages)))))
                    .withStart(false)
                    .build();
            memory = instance.memory();
            instance.export("_initialize").apply();
            long[] v = instance.export("abi_version").apply();
            if (v.length != 1 || v[0] != ABI_VERSION) {
                throw new SeclabelException("internal",
                        "seclabel.wasm speaks ABI " + (v.length == 1 ? v[0] : -1) + ", this host " + ABI_VERSION);
            }
            inputBuf = instance.export("input_buf");
            call = instance.export("call");
        } catch (RuntimeException | StackOverflowError e) {
            wasi.close();
            if (e instanceof SeclabelException s) {
                throw s;
            }
            throw new SeclabelException("internal", "seclabel.wasm could not be instantiated: " + e, e);
        }
    }

    /** A response as the module wrote it, copied out of its memory. */
    record Response(byte[] bytes, boolean error) {}

    /**
     * Runs one request made of head followed by body (either may be empty):
     * both are written straight into the module's input buffer, so a large
     * resource is copied once.
     */
    Response run(byte[] head, byte[] body, int bodyOffset, int bodyLength) {
        long n = (long) head.length + bodyLength;
        if (n > Integer.MAX_VALUE) {
            throw new SeclabelException("too_large", "the request is " + n + " bytes, more than the module can take");
        }
        int ptr = (int) inputBuf.apply(n)[0];
        memory.write(ptr, head, 0, head.length);
        if (bodyLength > 0) {
            memory.write(ptr + head.length, body, bodyOffset, bodyLength);
        }
        long r = call.apply(n)[0];
        int out = (int) (r >>> 32);
        int len = (int) (r & (ERROR_BIT - 1));
        return new Response(memory.readBytes(out, len), (r & ERROR_BIT) != 0);
    }

    /** The linear memory's size now; it never shrinks. */
    long memoryBytes() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    void close() {
        wasi.close();
    }
}
