package com.github.seclabel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SeclabelTest {
    static final String HIV_CONDITION = "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"86406008\"}]},\"subject\":{\"reference\":\"Patient/p\"}}";
    /** A Condition the default pack leaves alone, and a pack that labels it HIV. */
    static final String CONDITION_1234 = "{\"resourceType\":\"Condition\",\"id\":\"c\",\"code\":{\"coding\":[{\"system\":\"http://snomed.info/sct\",\"code\":\"1234\"}]}}";
    static final String CONFIGURE_1234 = "{\"op\":\"configure\",\"rules\":[{\"name\":\"p\",\"rules\":[{\"id\":\"r\",\"labels\":[\"HIV\"],\"codes\":{\"http://snomed.info/sct\":[\"1234\"]}}]}]}";

    private static Seclabel seclabel;

    @BeforeAll
    static void open() {
        seclabel = Seclabel.builder().instances(2).build();
    }

    @AfterAll
    static void close() {
        seclabel.close();
    }

    static List<String> codes(String resourceJson) {
        List<String> out = new ArrayList<>();
        Object meta = ((Map<?, ?>) Json.parse(resourceJson)).get("meta");
        if (meta instanceof Map<?, ?> m && m.get("security") instanceof List<?> l) {
            for (Object o : l) {
                out.add(Json.string(o, "code"));
            }
        }
        return out;
    }

    @Test
    void resultsComeBackInTheFormTheResourceWasGiven() {
        Result<String> asText = seclabel.label(HIV_CONDITION);
        assertTrue(codes(asText.resource()).containsAll(List.of("R", "HIV")), asText.resource());
        assertEquals("label", asText.envelope().get("op"));
        assertEquals(1, ((List<?>) asText.report().get("labeled")).size());
        Result<byte[]> asBytes = seclabel.label(HIV_CONDITION.getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(asText.resource().getBytes(StandardCharsets.UTF_8), asBytes.resource());
    }

    @Test
    void redactionWithholdsForOneRecipientAndReleasesForAnother() {
        String labeled = seclabel.label(HIV_CONDITION).resource();
        Result<String> denied = seclabel.redact(labeled, AccessContext.builder().clearance("N").build());
        assertNull(denied.resource());
        List<?> withheld = (List<?>) denied.report().get("withheld");
        assertEquals(1, withheld.size());
        assertEquals("clearance", Json.string(withheld.get(0), "reason"));
        Result<String> allowed = seclabel.redact(labeled, AccessContext.builder().clearance("R").purposeOfUse("TREAT").build());
        assertEquals(Json.parse(labeled), Json.parse(allowed.resource()));
        Result<byte[]> deniedBytes = seclabel.redact(labeled.getBytes(StandardCharsets.UTF_8),
                AccessContext.builder().clearance("R").deny("HIV").build());
        assertNull(deniedBytes.resource());
    }

    @Test
    void aSearchsetLosesItsWithheldMatchesAndReferencesToThem() {
        String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":2,\"entry\":["
                + "{\"fullUrl\":\"http://x/fhir/Condition/c\",\"resource\":" + seclabel.label(HIV_CONDITION).resource() + ",\"search\":{\"mode\":\"match\"}},"
                + "{\"fullUrl\":\"http://x/fhir/Observation/o\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o\",\"status\":\"final\",\"code\":{\"text\":\"weight\"},"
                + "\"focus\":[{\"reference\":\"Condition/c\"}]},\"search\":{\"mode\":\"match\"}}]}";
        Result<String> r = seclabel.redact(bundle, AccessContext.builder().clearance("N").build());
        Map<?, ?> out = (Map<?, ?>) Json.parse(r.resource());
        assertEquals(new java.math.BigDecimal(1), out.get("total"));
        List<?> entries = (List<?>) out.get("entry");
        assertEquals(1, entries.size());
        Map<?, ?> focus = (Map<?, ?>) ((List<?>) ((Map<?, ?>) ((Map<?, ?>) entries.get(0)).get("resource")).get("focus")).get(0);
        assertFalse(focus.containsKey("reference"), focus.toString());
        assertTrue(focus.toString().contains("masked"), focus.toString());
    }

    @Test
    void errorsCarryTheProtocolCode() {
        assertEquals("invalid_json", assertThrows(SeclabelException.class, () -> seclabel.hwm("{\"resourceType\":")).code());
        assertEquals("not_fhir", assertThrows(SeclabelException.class, () -> seclabel.label("{\"id\":\"x\"}")).code());
        assertEquals("unsupported_resource", assertThrows(SeclabelException.class, () -> seclabel.validate("{\"resourceType\":\"Nope\"}")).code());
        assertEquals("invalid_context", assertThrows(SeclabelException.class,
                () -> seclabel.redact(HIV_CONDITION, AccessContext.builder().deny("hiv").build())).code());
        assertEquals("invalid_context", assertThrows(SeclabelException.class, () -> seclabel.redact(HIV_CONDITION, null)).code());
        SeclabelException op = assertThrows(SeclabelException.class, () -> seclabel.call("labelx", HIV_CONDITION, null, null));
        assertEquals("invalid_option", op.code());
        assertTrue(op.getMessage().contains("\"marks\""), op.getMessage());
        assertEquals("invalid_option", assertThrows(SeclabelException.class,
                () -> seclabel.call("label", HIV_CONDITION, null, "{\"noSuchOption\":true}")).code());
        // Bytes that are not UTF-8, and a String that cannot be encoded as UTF-8.
        assertEquals("invalid_json", assertThrows(SeclabelException.class,
                () -> seclabel.label(new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'})).code());
        assertEquals("invalid_json", assertThrows(SeclabelException.class,
                () -> seclabel.label("{\"resourceType\":\"Patient\",\"name\":[{\"text\":\"\ud800\"}]}")).code());
        // Deeper than maxDepth: refused, and the instance goes on serving.
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertEquals("too_deep", assertThrows(SeclabelException.class, () -> seclabel.label(deep)).code());
        assertEquals("too_large", assertThrows(SeclabelException.class,
                () -> seclabel.call("label", HIV_CONDITION, null, "{\"maxInputBytes\":10}")).code());
        assertNotNull(seclabel.label(HIV_CONDITION).resource());
    }

    @Test
    void theRawProtocolAnswersErrorsAsResponses() {
        String resp = seclabel.request("{\"op\":\"hwm\",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"}}");
        assertTrue(resp.startsWith("{\"protocol\":1,\"op\":\"hwm\",\"resource\":"), resp);
        assertTrue(seclabel.request("not json").contains("\"code\":\"invalid_json\""));
        assertTrue(seclabel.request("{\"op\":\"label\",\"resource\":\"\ud800\"}").contains("\"code\":\"invalid_json\""));
    }

    @Test
    void marksListsWhatMustBeDisplayed() {
        String patient = "{\"resourceType\":\"Patient\",\"meta\":{\"security\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"COPYMark\"}]}}";
        Result<String> r = seclabel.marks(patient);
        assertNull(r.resource());
        List<?> display = (List<?>) r.report().get("display");
        assertEquals("copy of original mark", Json.string(display.get(0), "text"));
        assertEquals("unlabeled", Json.string(seclabel.validate("{\"resourceType\":\"Patient\"}").diagnostics().get(0), "code"));
    }

    @Test
    void configureReachesEveryInstanceAndARejectedOneKeepsTheLast() throws Exception {
        try (Seclabel s = Seclabel.builder().instances(3).build()) {
            assertTrue(codes(s.label(CONDITION_1234).resource()).isEmpty());
            s.configure(CONFIGURE_1234);
            // Calls on every instance of the pool at once, old ones and new.
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<String>> fs = new ArrayList<>();
                for (int i = 0; i < 60; i++) {
                    fs.add(pool.submit(() -> s.label(CONDITION_1234).resource()));
                }
                for (Future<String> f : fs) {
                    assertTrue(codes(f.get()).contains("HIV"));
                }
            } finally {
                pool.shutdown();
            }
            SeclabelException bad = assertThrows(SeclabelException.class,
                    () -> s.configure("{\"op\":\"configure\",\"rules\":[{\"rules\":[{\"id\":\"x\"}]}]}"));
            assertEquals("invalid_rules", bad.code());
            assertTrue(codes(s.label(CONDITION_1234).resource()).contains("HIV"));
            s.configure("{\"op\":\"configure\"}");
            assertTrue(codes(s.label(CONDITION_1234).resource()).isEmpty());
        }
        try (Seclabel s = Seclabel.builder().instances(1).configure(CONFIGURE_1234).build()) {
            assertTrue(codes(s.label(CONDITION_1234).resource()).contains("HIV"));
        }
        assertEquals("invalid_rules", assertThrows(SeclabelException.class,
                () -> Seclabel.builder().configure("{\"op\":\"configure\",\"rules\":[\"us-brod\"]}").build()).code());
    }

    @Test
    void concurrentCallsGetWhatSequentialCallsGet() throws Exception {
        String want = seclabel.label(HIV_CONDITION).resource();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String in = i % 2 == 0 ? HIV_CONDITION : CONDITION_1234;
                fs.add(pool.submit(() -> seclabel.label(in).resource()));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(i % 2 == 0 ? want : CONDITION_1234, fs.get(i).get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aGrownInstanceIsReplacedAndAClosedSeclabelRefuses() {
        Seclabel s = Seclabel.builder().instances(1).recycleBytes(1 << 20).build();
        String entry = "{\"resource\":" + HIV_CONDITION + "}";
        String bundle = "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[" + String.join(",", java.util.Collections.nCopies(5000, entry)) + "]}";
        String first = s.hwm(bundle).resource();
        assertTrue(s.peakMemoryBytes() > bundle.length(), "peak " + s.peakMemoryBytes());
        assertEquals(first, s.hwm(bundle).resource()); // from a fresh instance
        s.close();
        assertEquals("internal", assertThrows(SeclabelException.class, () -> s.label(HIV_CONDITION)).code());
    }

    @Test
    void accessContextsAreWrittenAsTheProtocolReadsThem() {
        assertEquals("{\"clearance\":\"R\",\"purposeOfUse\":\"TREAT\",\"deny\":[\"HIV\",\"http://x|\\\"q\\\"\"]}",
                AccessContext.builder().clearance("R").purposeOfUse("TREAT").deny("HIV").deny("http://x|\"q\"").build().toJson());
    }
}
