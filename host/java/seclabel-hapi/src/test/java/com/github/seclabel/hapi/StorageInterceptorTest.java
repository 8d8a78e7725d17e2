package com.github.seclabel.hapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.github.seclabel.AccessContext;
import com.github.seclabel.Seclabel;
import com.github.seclabel.SeclabelException;
import java.util.Set;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The storage hooks and the operations on HAPI resources, called directly. */
class StorageInterceptorTest {
    static Seclabel seclabel;
    static SeclabelFhir fhir;

    @BeforeAll
    static void open() {
        seclabel = Seclabel.builder().instances(1).build();
        fhir = new SeclabelFhir(seclabel, TestServer.FHIR);
    }

    @AfterAll
    static void close() {
        seclabel.close();
    }

    static Condition hiv() {
        Condition c = new Condition();
        c.setId("Condition/c1");
        c.getCode().addCoding().setSystem("http://snomed.info/sct").setCode("86406008");
        c.setSubject(new Reference("Patient/p1"));
        c.addNote().setText("seen in clinic");
        return c;
    }

    @Test
    void theResourceAboutToBeStoredIsLabeledInPlace() {
        SeclabelStorageInterceptor storage = new SeclabelStorageInterceptor(fhir);
        Condition created = hiv();
        storage.created(created);
        assertTrue(TestServer.codes(created).containsAll(Set.of("HIV", "R")), TestServer.codes(created).toString());
        // The rest is as it was, once: lists are replaced, not appended to.
        assertEquals("c1", created.getIdElement().getIdPart());
        assertEquals(1, created.getCode().getCoding().size());
        assertEquals(1, created.getNote().size());
        assertEquals("Patient/p1", created.getSubject().getReference());
        Condition updated = hiv();
        storage.updated(hiv(), updated);
        assertEquals(TestServer.FHIR.newJsonParser().encodeResourceToString(created), TestServer.FHIR.newJsonParser().encodeResourceToString(updated));
    }

    @Test
    void operationsOnHapiResources() {
        Condition labeled = (Condition) fhir.label(hiv()).resource();
        assertNull(fhir.redact(labeled, AccessContext.builder().clearance("N").build()).resource());
        Condition released = (Condition) fhir.redact(labeled, AccessContext.builder().clearance("R").build()).resource();
        assertEquals(TestServer.codes(labeled), TestServer.codes(released));
        assertEquals("R", TestServer.codes((Condition) fhir.hwm(labeled).resource()).stream().filter(c -> c.length() == 1).findFirst().orElseThrow());
        assertEquals(new java.math.BigDecimal(0), fhir.validate(labeled).report().get("errors"));
        assertEquals("unlabeled", fhir.validate(hiv()).diagnostics().get(0).get("code"));
        assertEquals("invalid_context", assertThrows(SeclabelException.class,
                () -> fhir.redact(labeled, AccessContext.builder().deny("NOPE").build())).code());
        // Failures map to HTTP statuses: the client's own mistakes are 400.
        assertTrue(SeclabelInterceptor.failure(new SeclabelException("invalid_context", "x"), "redaction") instanceof InvalidRequestException);
        assertEquals(500, SeclabelInterceptor.failure(new SeclabelException("internal", "x"), "redaction").getStatusCode());
    }
}
