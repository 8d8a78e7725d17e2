package com.github.seclabel;

/**
 * A failed call: the protocol's stable error {@link #code()} (engine/PROTOCOL.md,
 * "Error codes": {@code invalid_json}, {@code not_fhir}, {@code invalid_option},
 * {@code invalid_context}, {@code too_large}, ...) and a message for people.
 * Nothing was produced: a failed call never returns part of a result.
 * Failures of the host itself (a trap in the module, a closed Seclabel)
 * carry the code {@code internal}.
 */
public class SeclabelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public SeclabelException(String code, String message) {
        super(message);
        this.code = code;
    }

    public SeclabelException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The protocol's error code; callers branch on it, not on the message. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return "SeclabelException[" + code + "]: " + getMessage();
    }
}
