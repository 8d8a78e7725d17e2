package com.github.seclabel;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a successful call returns: the resulting resource in the form the
 * resource was given ({@code String} or {@code byte[]} of UTF-8 JSON; null
 * when redaction withholds it all, and for {@code validate} and
 * {@code marks}, which return none), and the rest of the protocol's response
 * (its envelope: {@code report}, {@code diagnostics}, and {@code audit} or
 * {@code outcome} when asked for).
 */
public final class Result<T> {
    private final T resource;
    private final String envelopeJson;
    private Map<String, Object> envelope;

    Result(T resource, String envelopeJson) {
        this.resource = resource;
        this.envelopeJson = envelopeJson;
    }

    /**
     * The same response with its resource turned into another form (a
     * parsed object of a FHIR library, say); a null resource stays null.
     */
    public <U> Result<U> map(Function<? super T, ? extends U> f) {
        return new Result<>(resource == null ? null : f.apply(resource), envelopeJson);
    }

    /** The resulting resource's JSON, or null (withheld whole, or an operation without one). */
    public T resource() {
        return resource;
    }

    /** The response without its resource, as the module wrote it. */
    public String envelopeJson() {
        return envelopeJson;
    }

    /** The response without its resource, read into maps and lists (see {@link Json}). */
    public synchronized Map<String, Object> envelope() {
        if (envelope == null) {
            envelope = Json.frozen(Json.parse(envelopeJson));
        }
        return envelope;
    }

    /** What the operation did: {@code labeled}, {@code withheld}, {@code marks}, {@code display}, counts... */
    @SuppressWarnings("unchecked")
    public Map<String, Object> report() {
        return envelope().get("report") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** The findings, most severe first. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> diagnostics() {
        return envelope().get("diagnostics") instanceof List<?> l ? (List<Map<String, Object>>) l : List.of();
    }
}
