package com.github.seclabel;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The golden corpus (testdata/cases) read as internal/golden reads it, and
 * responses compared as internal/jsonref compares them, with Jackson (a
 * reader independent of the engine's): object members in order, numbers as
 * written (1.0 is not 1), and an object naming a member twice is no value.
 */
final class Golden {
    private Golden() {}

    static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** One case: the request's exact bytes, and the whole response wanted or only an error code. */
    record Case(String note, byte[] request, byte[] want, String wantErrorCode, Path file) {}

    /** The repository's root: the seclabel.root property Maven sets, else the directory holding go.mod above here. */
    static Path root() {
        String p = System.getProperty("seclabel.root");
        if (p != null && !p.isEmpty()) {
            return Path.of(p).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("go.mod"))) {
                return d;
            }
        }
        throw new IllegalStateException("go.mod not found above the working directory");
    }

    static List<Case> load(Path dir) throws IOException {
        List<Case> cases = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".json")).toList()) {
                String rel = dir.relativize(f).toString().replace('\\', '/');
                cases.add(parseCase(f, rel.substring(0, rel.length() - ".json".length())));
            }
        }
        cases.sort(Comparator.comparing(Case::note));
        return cases;
    }

    /** Reads a case, keeping the request's and the expectation's source bytes. */
    static Case parseCase(Path file, String name) throws IOException {
        byte[] b = Files.readAllBytes(file);
        String note = null;
        byte[] request = null;
        byte[] want = null;
        String code = null;
        int requests = 0;
        int wants = 0;
        try (JsonParser p = JSON.createParser(b)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException(file + ": a case is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                switch (key) {
                    case "note" -> note = p.getText();
                    case "comment" -> p.skipChildren();
                    case "request", "want" -> {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        p.finishToken(); // a string's end is known once it is read
                        int end = (int) p.currentLocation().getByteOffset();
                        byte[] raw = java.util.Arrays.copyOfRange(b, start, end);
                        if (key.equals("request")) {
                            request = raw;
                            requests++;
                        } else {
                            want = raw;
                            wants++;
                        }
                    }
                    case "request_raw" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new IOException(file + ": request_raw must be a string");
                        }
                        request = p.getText().getBytes(StandardCharsets.UTF_8);
                        requests++;
                    }
                    case "want_error_code" -> {
                        code = p.getText();
                        wants++;
                    }
                    default -> throw new IOException(file + ": unknown member " + key);
                }
            }
        }
        if (!name.equals(note)) {
            throw new IOException(file + ": note " + note + " must equal the case's path " + name);
        }
        if (requests != 1 || wants != 1) {
            throw new IOException(file + ": a case needs exactly one request and one expectation");
        }
        return new Case(note, request, want, code, file);
    }

    /** testdata/exceptions/BACKEND.json: note to reason. */
    static Map<String, String> exceptions(Path root, String backend) throws IOException {
        Map<String, String> ex = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(Files.readAllBytes(root.resolve("testdata/exceptions/" + backend + ".json")))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("exceptions/" + backend + ".json must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                p.nextToken();
                ex.put(k, p.getText());
            }
        }
        return ex;
    }

    /**
     * A response whose resource follows the envelope after a NUL byte, as
     * one response with the resource in "resource" right after "op" (the
     * form expectations are written in); others as they are.
     */
    static byte[] joined(byte[] resp) {
        int nul = -1;
        for (int i = 0; i < resp.length; i++) {
            if (resp[i] == 0) {
                nul = i;
                break;
            }
        }
        if (nul < 0) {
            return resp;
        }
        try (JsonParser p = JSON.createParser(resp, 0, nul)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return resp;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                p.nextToken();
                p.skipChildren();
                p.finishToken();
                if (key.equals("op")) {
                    int end = (int) p.currentLocation().getByteOffset();
                    ByteArrayOutputStream out = new ByteArrayOutputStream(resp.length + 16);
                    out.write(resp, 0, end);
                    out.writeBytes(",\"resource\":".getBytes(StandardCharsets.UTF_8));
                    out.write(resp, nul + 1, resp.length - nul - 1);
                    out.write(resp, end, nul - end);
                    return out.toByteArray();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return resp; // not a split response: left for the comparison to reject
    }

    /** error.code of a response, or null. */
    static String errorCode(byte[] resp) throws IOException {
        try (JsonParser p = JSON.createParser(resp)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                if (key.equals("error") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String k = p.currentName();
                        p.nextToken();
                        if (k.equals("code")) {
                            return p.getText();
                        }
                        p.skipChildren();
                    }
                    return null;
                }
                p.skipChildren();
            }
        }
        return null;
    }

    /** Where the comparison stands: one frame per open object or array. */
    private static final class Frame {
        final boolean array;
        int index = -1;
        String name;

        Frame(boolean array) {
            this.array = array;
        }
    }

    /**
     * Null when got and want are the same JSON value (members in order,
     * numbers as written), else where they first differ ($ is the root).
     * Both must be one value each; a duplicate member is a difference.
     */
    static String diff(byte[] got, byte[] want) throws IOException {
        try (JsonParser g = JSON.createParser(got); JsonParser w = JSON.createParser(want)) {
            Deque<Frame> stack = new ArrayDeque<>();
            while (true) {
                JsonToken gt;
                try {
                    gt = g.nextToken();
                } catch (IOException e) {
                    return where(stack) + ": the response is not JSON: " + e.getMessage();
                }
                JsonToken wt = w.nextToken();
                if (wt == null || gt == null) {
                    return wt == gt ? null : where(stack) + ": " + (gt == null ? "the response ends early" : "data after the value");
                }
                if (wt == JsonToken.END_OBJECT || wt == JsonToken.END_ARRAY) {
                    if (gt != wt) {
                        return where(stack) + ": more " + (wt == JsonToken.END_OBJECT ? "members" : "items") + " than wanted";
                    }
                    stack.pop();
                    continue;
                }
                if (gt == JsonToken.END_OBJECT || gt == JsonToken.END_ARRAY) {
                    return where(stack) + ": fewer " + (gt == JsonToken.END_OBJECT ? "members" : "items") + " than wanted";
                }
                if (wt == JsonToken.FIELD_NAME) {
                    stack.peek().name = w.currentName();
                    if (gt != JsonToken.FIELD_NAME || !g.currentName().equals(w.currentName())) {
                        return where(stack) + ": got member " + (gt == JsonToken.FIELD_NAME ? g.currentName() : gt) + " here";
                    }
                    continue;
                }
                if (!stack.isEmpty() && stack.peek().array) {
                    stack.peek().index++;
                }
                if (gt != wt) {
                    return where(stack) + ": got " + gt + " " + text(g) + ", want " + wt + " " + text(w);
                }
                switch (wt) {
                    case START_OBJECT -> stack.push(new Frame(false));
                    case START_ARRAY -> stack.push(new Frame(true));
                    case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        if (!g.getText().equals(w.getText())) {
                            return where(stack) + ": got " + text(g) + ", want " + text(w);
                        }
                    }
                    default -> {}
                }
            }
        }
    }

    private static String text(JsonParser p) throws IOException {
        String t = p.getText();
        return t == null ? "" : t.length() > 80 ? t.substring(0, 80) + "..." : t;
    }

    private static String where(Deque<Frame> stack) {
        StringBuilder b = new StringBuilder("$");
        List<Frame> l = new ArrayList<>(stack);
        java.util.Collections.reverse(l);
        for (Frame f : l) {
            if (f.array) {
                b.append('[').append(Math.max(f.index, 0)).append(']');
            } else if (f.name != null) {
                b.append('.').append(f.name);
            }
        }
        return b.toString();
    }
}
