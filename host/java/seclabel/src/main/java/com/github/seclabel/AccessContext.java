package com.github.seclabel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recipient of a redaction (engine/PROTOCOL.md, "redact"): the highest
 * confidentiality it may see, the request's purpose of use, the labels it
 * may not see, and the rest of the protocol's access context. The module
 * checks every code: an unknown one fails the call with
 * {@code invalid_context} rather than letting content through.
 *
 * <pre>{@code
 * AccessContext who = AccessContext.builder().clearance("N").purposeOfUse("TREAT").deny("HIV", "SUD").build();
 * }</pre>
 */
public final class AccessContext {
    private final String json;

    private AccessContext(String json) {
        this.json = json;
    }

    /** A context given as its JSON text, sent as it is. */
    public static AccessContext ofJson(String json) {
        return new AccessContext(json);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The context's JSON text, as sent in the request. */
    public String toJson() {
        return json;
    }

    @Override
    public String toString() {
        return json;
    }

    public static final class Builder {
        private final Map<String, Object> m = new LinkedHashMap<>();

        private Builder() {}

        /** The highest confidentiality the recipient may see, U..V (default N). */
        public Builder clearance(String code) {
            return put("clearance", code);
        }

        /** The purpose of use of the request (a v3-ActReason code such as TREAT). */
        public Builder purposeOfUse(String code) {
            return put("purposeOfUse", code);
        }

        /** Labels the recipient may not see: "code" or "system|code"; adds to earlier calls. */
        public Builder deny(String... labels) {
            return add("deny", labels);
        }

        /** When given, sensitive content is released only when the list covers all its sensitivity labels. */
        public Builder allow(String... labels) {
            return add("allow", labels);
        }

        /** Compartments the recipient belongs to. */
        public Builder compartments(String... codes) {
            return add("compartments", codes);
        }

        /** Systems or "system|code" labels to ignore among those the engine cannot read. */
        public Builder ignore(String... labels) {
            return add("ignore", labels);
        }

        /** References to resources withheld elsewhere: references to them are masked too. */
        public Builder withheldReferences(String... references) {
            return add("withheldReferences", references);
        }

        private Builder put(String key, String value) {
            if (value == null || value.isEmpty()) {
                m.remove(key);
            } else {
                m.put(key, value);
            }
            return this;
        }

        @SuppressWarnings("unchecked")
        private Builder add(String key, String... values) {
            List<Object> list = (List<Object>) m.computeIfAbsent(key, k -> new ArrayList<>());
            for (String v : values) {
                list.add(v);
            }
            return this;
        }

        public AccessContext build() {
            return new AccessContext(Json.write(new StringBuilder(), m).toString());
        }
    }
}
