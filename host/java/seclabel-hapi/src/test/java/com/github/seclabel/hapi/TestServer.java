package com.github.seclabel.hapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.server.RestfulServer;
import com.github.seclabel.Seclabel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;

/**
 * A HAPI FHIR RestfulServer on a free loopback port, in embedded Jetty, with
 * the interceptor and in-memory Patient, Encounter, Condition and
 * Observation providers; and an HTTP client that names the recipient in the
 * X-Seclabel-* headers.
 */
final class TestServer implements AutoCloseable {
    /** Sees restricted content, for treatment, nothing denied. */
    static final Map<String, String> FULL = Map.of("X-Seclabel-Clearance", "R", "X-Seclabel-Purpose-Of-Use", "TREAT");
    /** Normal content only; HIV and SUD denied. */
    static final Map<String, String> NORMAL = Map.of("X-Seclabel-Clearance", "N", "X-Seclabel-Deny", "HIV, SUD");

    static final FhirContext FHIR = FhirContext.forR4();

    final Seclabel seclabel;
    final String base;
    private final Server jetty;
    private final HttpClient http = HttpClient.newHttpClient();

    TestServer() throws Exception {
        seclabel = Seclabel.builder().instances(2).build();
        RestfulServer server = new RestfulServer(FHIR);
        Map<String, Resource> store = MemoryProvider.newStore();
        server.setResourceProviders(
                new MemoryProvider<>(Patient.class, FHIR, store),
                new MemoryProvider<>(Condition.class, FHIR, store),
                new MemoryProvider<>(Observation.class, FHIR, store),
                new MemoryProvider<>(Encounter.class, FHIR, store));
        server.registerInterceptor(new SeclabelInterceptor(new SeclabelFhir(seclabel, FHIR)));
        jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder(server), "/fhir/*");
        jetty.setHandler(context);
        jetty.start();
        base = "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/fhir/";
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
        seclabel.close();
    }

    HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "application/fhir+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/fhir+json");
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** PUT path body, which must create or update. */
    void put(String path, String body) throws Exception {
        HttpResponse<String> r = send("PUT", path, body, FULL);
        assertTrue(r.statusCode() == 200 || r.statusCode() == 201, path + ": " + r.statusCode() + " " + r.body());
    }

    /** GET path as the recipient, which must succeed. */
    <T extends Resource> T get(Class<T> type, String path, Map<String, String> who) throws Exception {
        HttpResponse<String> r = send("GET", path, null, who);
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return FHIR.newJsonParser().parseResource(type, r.body());
    }

    static Set<String> codes(Resource r) {
        Set<String> out = new TreeSet<>();
        for (Coding c : r.getMeta().getSecurity()) {
            out.add(c.getCode());
        }
        return out;
    }

    /** The Type/id of the Bundle's entries of one search mode (no mode counts as a match), sorted. */
    static List<String> ids(Bundle b, Bundle.SearchEntryMode mode) {
        List<String> out = new ArrayList<>();
        for (Bundle.BundleEntryComponent e : b.getEntry()) {
            Bundle.SearchEntryMode m = e.getSearch().getMode();
            if (m == mode || m == null && mode == Bundle.SearchEntryMode.MATCH) {
                out.add(e.getResource().getIdElement().toUnqualifiedVersionless().getValue());
            }
        }
        out.sort(null);
        return out;
    }
}
