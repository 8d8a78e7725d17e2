package com.github.seclabel.hapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.seclabel.AccessContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Synthea patients of the shared data (skipped when it is absent): their
 * Patient, Encounter, Condition and Observation resources written through a
 * server with the interceptor, then searched as two recipients. What the one
 * denied HIV and SUD gets must be what the engine releases of each stored
 * resource on its own, with Bundle.total to match, and less than what the
 * one cleared for everything gets: one patient has HIV viral loads, the
 * other encounters for substance use.
 */
class SyntheaTest {
    static final List<String> FILES = List.of("sof__Chet_Thompson_eda17701-070d-4fae-9f7d-c8cd6263b63a.json",
            "sof__Trenton_Turner_54a45132-91fc-485e-b401-8c7644a0d517.json");

    @Test
    void syntheaPatientsThroughTheServer() throws Exception {
        Path dir = dataDir().resolve("synthea");
        List<Path> files = new ArrayList<>();
        for (String name : FILES) {
            if (Files.exists(dir.resolve(name))) {
                files.add(dir.resolve(name));
            }
        }
        Assumptions.assumeFalse(files.isEmpty(),
                "Synthea bundles not found in " + dir + " (set SECLABEL_DATA or put the shared data at ../shared/data): skipped");
        try (TestServer server = new TestServer()) {
            Set<String> types = Set.of("Patient", "Encounter", "Condition", "Observation");
            Map<String, Integer> stored = new HashMap<>();
            for (Path f : files) {
                Bundle bundle = TestServer.FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(f));
                // Synthea links entries by urn:uuid fullUrls: the server knows them as Type/id.
                Map<String, String> byFullUrl = new HashMap<>();
                for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
                    Resource r = e.getResource();
                    byFullUrl.put(e.getFullUrl(), r.fhirType() + "/" + r.getIdElement().getIdPart());
                }
                for (Bundle.BundleEntryComponent e : bundle.getEntry()) {
                    Resource r = e.getResource();
                    if (!types.contains(r.fhirType())) {
                        continue;
                    }
                    for (IBaseReference ref : TestServer.FHIR.newTerser().getAllPopulatedChildElementsOfType(r, IBaseReference.class)) {
                        String to = byFullUrl.get(ref.getReferenceElement().getValue());
                        if (to != null) {
                            ref.setReference(to);
                        }
                    }
                    String path = r.fhirType() + "/" + r.getIdElement().getIdPart();
                    r.setId(path);
                    server.put(path, TestServer.FHIR.newJsonParser().encodeResourceToString(r));
                    stored.merge(r.fhirType(), 1, Integer::sum);
                }
            }
            AccessContext normal = AccessContext.builder().clearance("N").deny("HIV", "SUD").build();
            SeclabelFhir engine = new SeclabelFhir(server.seclabel, TestServer.FHIR);
            int withheld = 0;
            for (String type : List.of("Patient", "Encounter", "Condition", "Observation")) {
                Bundle all = server.get(Bundle.class, type, TestServer.FULL);
                List<String> everything = TestServer.ids(all, Bundle.SearchEntryMode.MATCH);
                assertEquals(stored.get(type), everything.size(), type);
                assertEquals(everything.size(), all.getTotal(), type);
                List<String> released = new ArrayList<>();
                for (Bundle.BundleEntryComponent e : all.getEntry()) {
                    if (engine.redact(e.getResource(), normal).resource() != null) {
                        released.add(e.getResource().getIdElement().toUnqualifiedVersionless().getValue());
                    }
                }
                released.sort(null);
                Bundle b = server.get(Bundle.class, type, TestServer.NORMAL);
                assertEquals(released, TestServer.ids(b, Bundle.SearchEntryMode.MATCH), type);
                assertEquals(released.size(), b.getTotal(), type);
                withheld += everything.size() - released.size();
            }
            assertTrue(withheld > 0, "nothing withheld from the Synthea patients");
        }
    }

    /** The shared data folder: $SECLABEL_DATA, or shared/data beside the repository. */
    static Path dataDir() {
        String env = System.getenv("SECLABEL_DATA");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("seclabel.root", "../..")).toAbsolutePath().normalize().resolveSibling("shared").resolve("data");
    }
}
