package com.github.seclabel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden corpus through the Seclabel class, as internal/golden runs it
 * for the Go backends and web/test for Node: each case's request sent as the
 * exact bytes of the case file, the response joined and compared with its
 * "want" member by member, or its error code with "want_error_code".
 * testdata/exceptions/java.json lists known gaps (kept empty).
 */
class GoldenTest {
    private static Seclabel seclabel;
    private static List<Golden.Case> cases;
    private static Map<String, String> exceptions;

    @BeforeAll
    static void load() throws Exception {
        Path root = Golden.root();
        cases = Golden.load(root.resolve("testdata/cases"));
        exceptions = Golden.exceptions(root, "java");
        seclabel = Seclabel.builder().instances(1).build();
    }

    @AfterAll
    static void close() {
        seclabel.close();
    }

    @Test
    void theCorpusIsThereAndTheExceptionListIsEmpty() {
        assertTrue(cases.size() > 100, "only " + cases.size() + " cases");
        assertEquals(Map.of(), exceptions);
    }

    @TestFactory
    Stream<DynamicTest> golden() {
        for (String note : exceptions.keySet()) {
            assertTrue(cases.stream().anyMatch(c -> c.note().equals(note)), "exceptions/java.json names " + note + ", which is not a case");
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.note(), c.file().toUri(), () -> {
            String reason = exceptions.get(c.note());
            Assumptions.assumeTrue(reason == null, () -> "exception: " + reason);
            byte[] got = Golden.joined(seclabel.request(c.request()));
            if (c.wantErrorCode() != null) {
                String code = Golden.errorCode(got);
                if (!c.wantErrorCode().equals(code)) {
                    fail("want error code " + c.wantErrorCode() + ", got response " + preview(got));
                }
                return;
            }
            String d = Golden.diff(got, c.want());
            if (d != null) {
                fail("response differs at " + d + "\n got: " + preview(got) + "\nwant: " + preview(c.want()));
            }
        }));
    }

    @Test
    void theComparisonSeesWhatTheGoRunnerSees() throws Exception {
        // Numbers as written, members in order, a member named twice.
        assertNull(Golden.diff(b("{\"a\":[1,{\"b\":\"x\"}]}"), b("{\"a\": [1, {\"b\": \"x\"}]}")));
        assertEquals("$.a[1]: got VALUE_NUMBER_FLOAT 1.0, want VALUE_NUMBER_INT 1", Golden.diff(b("{\"a\":[0,1.0]}"), b("{\"a\":[0,1]}")));
        assertEquals("$.a: got 1e2, want 100", Golden.diff(b("{\"a\":1e2}"), b("{\"a\":100}")).replace("VALUE_NUMBER_FLOAT ", "").replace("VALUE_NUMBER_INT ", ""));
        assertTrue(Golden.diff(b("{\"b\":1,\"a\":2}"), b("{\"a\":2,\"b\":1}")).startsWith("$.a: got member b"));
        assertTrue(Golden.diff(b("{\"a\":1,\"a\":1}"), b("{\"a\":1,\"a\":1}")).contains("not JSON"));
        assertTrue(Golden.diff(b("{\"a\":[1,2]}"), b("{\"a\":[1]}")).startsWith("$.a[0]: more items"));
        assertTrue(Golden.diff(b("{\"a\":\"x\"}"), b("{\"a\":\"y\"}")).startsWith("$.a: got x"));
        assertEquals("{\"protocol\":1,\"op\":\"hwm\",\"resource\":{\"x\":1},\"report\":{}}",
                new String(Golden.joined(b("{\"protocol\":1,\"op\":\"hwm\",\"report\":{}}\0{\"x\":1}")), StandardCharsets.UTF_8));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String preview(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
    }
}
