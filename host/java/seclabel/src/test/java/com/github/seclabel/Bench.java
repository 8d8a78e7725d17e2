package com.github.seclabel;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java half of the benchmark harness (bench/harness/java.go): runs the
 * tasks of a manifest (the format bench/js/bench.mjs reads: tasks of an
 * operation over input files, a time budget, rounds and batches) through
 * Seclabel, bytes in and bytes out, and prints the results as JSON.
 *
 * <pre>java -cp ... com.github.seclabel.Bench MANIFEST [compiled|runtime|interpreter]</pre>
 *
 * The mode picks how Chicory runs the module: compiled to JVM bytecode when
 * the jar was built (the default, what Seclabel uses), compiled when loaded
 * (the runtime compiler, from the wasm file the manifest names), or
 * interpreted.
 */
public final class Bench {
    // The recipient of every redaction, as in bench/harness/measure.go.
    static final AccessContext RECIPIENT = AccessContext.builder().clearance("N").deny("SUD", "HIV").build();

    /**
     * Calls before the harness's own warm-up, so that HotSpot has compiled
     * the module's hot code: the first task pays for the largest methods
     * (C2 takes tens of seconds over them on a busy machine), the later ones
     * reuse them.
     */
    static final long FIRST_WARMUP_NANOS = Long.getLong("seclabel.bench.warmupMs", 60_000) * 1_000_000L;
    static final long WARMUP_NANOS = 5_000_000_000L;
    static boolean warmedUp;

    public static void main(String[] args) throws Exception {
        Map<?, ?> manifest = (Map<?, ?>) Json.parse(Files.readString(Path.of(args[0])));
        String mode = args.length > 1 ? args[1] : "compiled";
        double budgetMs = num(manifest.get("budgetMs"));
        int minRounds = (int) num(manifest.get("minRounds"));
        int maxRounds = (int) num(manifest.get("maxRounds"));
        double minBatchMs = num(manifest.get("minBatchMs"));
        Map<String, byte[]> files = new HashMap<>();
        List<Object> results = new ArrayList<>();
        Seclabel seclabel = null;
        String group = null;
        for (Object t : (List<?>) manifest.get("tasks")) {
            Map<?, ?> task = (Map<?, ?>) t;
            if (seclabel == null || !task.get("group").equals(group)) {
                if (seclabel != null) {
                    seclabel.close();
                }
                // A fresh Seclabel per input set, so its memory figure is that set's.
                seclabel = open(mode, Json.string(manifest, "wasm"));
                group = (String) task.get("group");
            }
            List<byte[]> inputs = new ArrayList<>();
            List<Long> resources = new ArrayList<>();
            for (Object in : (List<?>) task.get("inputs")) {
                String path = Json.string(in, "path");
                inputs.add(files.computeIfAbsent(path, p -> {
                    try {
                        return Files.readAllBytes(Path.of(p));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
                resources.add((long) num(((Map<?, ?>) in).get("resources")));
            }
            results.add(measure(seclabel, (String) task.get("op"), task.get("id"), inputs, resources, budgetMs, minRounds, maxRounds, minBatchMs));
        }
        if (seclabel != null) {
            seclabel.close();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), Chicory "
                + chicoryVersion() + ", " + mode);
        out.put("results", results);
        System.out.println(Json.write(new StringBuilder(), out));
    }

    static Seclabel open(String mode, String wasm) throws Exception {
        Seclabel.Builder b = Seclabel.builder().instances(1).memoryLimitBytes(2000L << 20).recycleBytes(2000L << 20);
        switch (mode) {
            case "compiled" -> {}
            case "runtime" -> {
                WasmModule m = Parser.parse(Path.of(wasm));
                b.module(m, MachineFactoryCompiler.compile(m));
            }
            case "interpreter" -> b.module(Parser.parse(Path.of(wasm)), InterpreterMachine::new);
            default -> throw new IllegalArgumentException("mode: compiled, runtime or interpreter");
        }
        return b.build();
    }

    /** The Chicory runtime's version, from its jar's Maven metadata. */
    static String chicoryVersion() {
        try (var in = com.dylibso.chicory.runtime.Instance.class.getResourceAsStream("/META-INF/maven/com.dylibso.chicory/runtime/pom.properties")) {
            var p = new java.util.Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "(version unknown)");
        } catch (java.io.IOException e) {
            return "(version unknown)";
        }
    }

    static double num(Object o) {
        return ((BigDecimal) o).doubleValue();
    }

    interface Call {
        void run(byte[] input);
    }

    static Call caller(Seclabel s, String op) {
        return switch (op) {
            case "label" -> s::label;
            case "hwm" -> s::hwm;
            case "redact" -> in -> s.redact(in, RECIPIENT);
            case "validate" -> s::validate;
            default -> throw new IllegalArgumentException("unknown op " + op);
        };
    }

    /** As bench.mjs measures: warm-up sizing batches, then rounds over every input until the budget is spent. */
    static Map<String, Object> measure(Seclabel s, String op, Object id, List<byte[]> inputs, List<Long> resources,
            double budgetMs, int minRounds, int maxRounds, double minBatchMs) {
        Call call = caller(s, op);
        long calls = 0;
        long warm = 0;
        long bytes = 0;
        long res = 0;
        double elapsed = 0;
        List<Double> samples = new ArrayList<>();
        long jitEnd = System.nanoTime() + (warmedUp ? WARMUP_NANOS : FIRST_WARMUP_NANOS);
        warmedUp = true;
        while (System.nanoTime() < jitEnd) {
            for (byte[] in : inputs) {
                call.run(in);
                warm++;
            }
        }
        int[] batch = new int[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            call.run(inputs.get(i));
            warm++;
            long t0 = System.nanoTime();
            int k = 0;
            while (k == 0 || ((System.nanoTime() - t0) / 1e6 < minBatchMs && k < 10000)) {
                call.run(inputs.get(i));
                k++;
            }
            warm += k;
            batch[i] = k;
        }
        long start = System.nanoTime();
        for (int round = 0; round < maxRounds && (round < minRounds || (System.nanoTime() - start) / 1e6 < budgetMs); round++) {
            for (int i = 0; i < inputs.size(); i++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < batch[i]; k++) {
                    call.run(inputs.get(i));
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                samples.add(ms / batch[i]);
                elapsed += ms;
                calls += batch[i];
                bytes += (long) batch[i] * inputs.get(i).length;
                res += batch[i] * resources.get(i);
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("calls", calls);
        r.put("warm", warm);
        r.put("bytes", bytes);
        r.put("resources", res);
        r.put("elapsed", elapsed);
        r.put("samples", samples);
        r.put("memory", s.peakMemoryBytes());
        return r;
    }
}
