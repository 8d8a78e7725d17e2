package com.github.seclabel.hapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resources written through a HAPI FHIR server with the interceptor are
 * labeled, and recipients reading and searching them (named by headers)
 * get what the engine releases to each.
 */
class InterceptorTest {
    static final Map<String, String> FULL = TestServer.FULL;
    static final Map<String, String> NORMAL = TestServer.NORMAL;
    /** Restricted content for treatment, HIV denied. */
    static final Map<String, String> NO_HIV = Map.of("X-Seclabel-Clearance", "R", "X-Seclabel-Purpose-Of-Use", "TREAT", "X-Seclabel-Deny", "HIV");

    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
        put("Patient/p1", "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"Doe\"}]}");
        put("Encounter/e1", "{\"resourceType\":\"Encounter\",\"id\":\"e1\",\"status\":\"finished\","
                + "\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\"},"
                + "\"subject\":{\"reference\":\"Patient/p1\"},"
                + "\"diagnosis\":[{\"condition\":{\"reference\":\"Condition/hiv\"}},{\"condition\":{\"reference\":\"Condition/sud\"}},"
                + "{\"condition\":{\"reference\":\"Condition/htn\"}}]}");
        put("Condition/hiv", condition("hiv", "http://snomed.info/sct", "86406008", "HIV infection"));
        put("Condition/sud", condition("sud", "http://hl7.org/fhir/sid/icd-10-cm", "F11.20", "Opioid dependence, uncomplicated"));
        put("Condition/htn", condition("htn", "http://snomed.info/sct", "38341003", "Hypertension"));
        put("Observation/hivvl", "{\"resourceType\":\"Observation\",\"id\":\"hivvl\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"20447-9\",\"display\":\"HIV 1 RNA\"}]},"
                + "\"subject\":{\"reference\":\"Patient/p1\"},\"valueQuantity\":{\"value\":40,\"unit\":\"copies/mL\"}}");
        // A create (POST) as well as updates.
        HttpResponse<String> created = send("POST", "Observation", "{\"resourceType\":\"Observation\",\"status\":\"final\","
                + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"29463-7\",\"display\":\"Body weight\"}]},"
                + "\"subject\":{\"reference\":\"Patient/p1\"},\"valueQuantity\":{\"value\":72,\"unit\":\"kg\"}}", FULL);
        assertEquals(201, created.statusCode(), created.body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        return server.send(method, path, body, headers);
    }

    static void put(String path, String body) throws Exception {
        server.put(path, body);
    }

    static <T extends Resource> T get(Class<T> type, String path, Map<String, String> who) throws Exception {
        return server.get(type, path, who);
    }

    static Set<String> codes(Resource r) {
        return TestServer.codes(r);
    }

    static List<String> ids(Bundle b, Bundle.SearchEntryMode mode) {
        return TestServer.ids(b, mode);
    }

    static String condition(String id, String system, String code, String display) {
        return "{\"resourceType\":\"Condition\",\"id\":\"" + id + "\",\"code\":{\"coding\":[{\"system\":\"" + system
                + "\",\"code\":\"" + code + "\",\"display\":\"" + display + "\"}]},\"subject\":{\"reference\":\"Patient/p1\"},"
                + "\"encounter\":{\"reference\":\"Encounter/e1\"}}";
    }

    @Test
    void whatIsWrittenIsLabeled() throws Exception {
        Condition hiv = get(Condition.class, "Condition/hiv", FULL);
        assertTrue(codes(hiv).containsAll(Set.of("HIV", "R")), codes(hiv).toString());
        Condition sud = get(Condition.class, "Condition/sud", FULL);
        assertTrue(codes(sud).containsAll(Set.of("SUD", "OPIOIDUD", "42CFRPart2", "R")), codes(sud).toString());
        assertFalse(sud.getMeta().getExtension().isEmpty(), "the 42 CFR 2.32 notice goes with a Part 2 record");
        assertTrue(codes(get(Observation.class, "Observation/hivvl", FULL)).contains("HIV"));
        assertEquals(Set.of(), codes(get(Condition.class, "Condition/htn", FULL)));
        // The labels every instance of a label carries: basis and classifier extensions.
        Coding hivLabel = hiv.getMeta().getSecurity().stream().filter(c -> c.getCode().equals("HIV")).findFirst().orElseThrow();
        assertFalse(hivLabel.getExtension().isEmpty());
    }

    @Test
    void aRecipientClearedForEverythingGetsEverything() throws Exception {
        Bundle conditions = get(Bundle.class, "Condition", FULL);
        assertEquals(3, conditions.getTotal());
        assertEquals(List.of("Condition/hiv", "Condition/htn", "Condition/sud"), ids(conditions, Bundle.SearchEntryMode.MATCH));
        assertEquals(2, get(Bundle.class, "Observation", FULL).getTotal());
    }

    @Test
    void searchesLeaveOutWhatTheRecipientMayNotSee() throws Exception {
        Bundle conditions = get(Bundle.class, "Condition", NORMAL);
        assertEquals(1, conditions.getTotal(), "Bundle.total reduced by the two withheld matches");
        assertEquals(List.of("Condition/htn"), ids(conditions, Bundle.SearchEntryMode.MATCH));
        Bundle observations = get(Bundle.class, "Observation", NORMAL);
        assertEquals(1, observations.getTotal());
        assertEquals("29463-7", ((Observation) observations.getEntryFirstRep().getResource()).getCode().getCodingFirstRep().getCode());
        // Denying HIV alone releases the SUD record to a recipient cleared for R.
        Bundle noHiv = get(Bundle.class, "Condition", NO_HIV);
        assertEquals(List.of("Condition/htn", "Condition/sud"), ids(noHiv, Bundle.SearchEntryMode.MATCH));
        assertEquals(2, noHiv.getTotal());
    }

    @Test
    void referencesToWithheldResourcesAreMasked() throws Exception {
        Bundle full = get(Bundle.class, "Encounter?_include=*", FULL);
        assertEquals(List.of("Condition/hiv", "Condition/htn", "Condition/sud", "Patient/p1"), ids(full, Bundle.SearchEntryMode.INCLUDE));
        Bundle b = get(Bundle.class, "Encounter?_include=*", NORMAL);
        assertEquals(List.of("Encounter/e1"), ids(b, Bundle.SearchEntryMode.MATCH));
        assertEquals(List.of("Condition/htn", "Patient/p1"), ids(b, Bundle.SearchEntryMode.INCLUDE));
        assertEquals(1, b.getTotal());
        Encounter e = (Encounter) b.getEntry().stream().filter(x -> x.getResource() instanceof Encounter).findFirst().orElseThrow().getResource();
        // A diagnosis exists to point at its Condition: those of the
        // withheld Conditions go whole (their use and rank describe them).
        List<Encounter.DiagnosisComponent> dx = e.getDiagnosis();
        assertEquals(1, dx.size());
        assertEquals("Condition/htn", dx.get(0).getCondition().getReference());
        assertTrue(codes(e).contains("REDACTED"), codes(e).toString());
    }

    @Test
    void readingAWithheldResourceIsNotFound() throws Exception {
        HttpResponse<String> r = send("GET", "Condition/hiv", null, NORMAL);
        assertEquals(404, r.statusCode(), r.body());
        assertFalse(r.body().contains("86406008"), r.body());
        assertEquals(404, send("GET", "Condition/hiv", null, NO_HIV).statusCode());
        assertEquals(200, send("GET", "Condition/sud", null, NO_HIV).statusCode());
        assertEquals(200, send("GET", "Condition/htn", null, NORMAL).statusCode());
        // Without recipient headers the engine's defaults hold: clearance N.
        assertEquals(404, send("GET", "Condition/hiv", null, Map.of()).statusCode());
        assertEquals(200, send("GET", "Patient/p1", null, Map.of()).statusCode());
    }

    @Test
    void aRecipientTheEngineCannotReadIsABadRequest() throws Exception {
        HttpResponse<String> r = send("GET", "Condition", null, Map.of("X-Seclabel-Deny", "hiv"));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("invalid_context"), r.body());
        assertFalse(r.body().contains("86406008"), r.body());
    }
}
