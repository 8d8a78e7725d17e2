package com.github.seclabel.hapi;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InternalErrorException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import com.github.seclabel.AccessContext;
import com.github.seclabel.SeclabelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Security labels on a HAPI FHIR server: what clients create or update (one
 * resource, or the entries of a transaction or batch Bundle) is labeled
 * before the server stores it, and every response resource (a read, a
 * search's Bundle, a returned representation) is redacted for the request's
 * recipient before it is sent.
 *
 * <pre>{@code
 * Seclabel seclabel = Seclabel.create();
 * restfulServer.registerInterceptor(new SeclabelInterceptor(new SeclabelFhir(seclabel, restfulServer.getFhirContext())));
 * }</pre>
 *
 * <p><b>The recipient</b> comes from {@link #recipient(RequestDetails)}: by
 * default the request headers {@code X-Seclabel-Clearance} (U..V),
 * {@code X-Seclabel-Purpose-Of-Use} (a v3-ActReason code such as TREAT) and
 * {@code X-Seclabel-Deny} (labels, comma-separated, "code" or
 * "system|code"); without them the engine's defaults apply: clearance N,
 * nothing denied. Those headers must be set by something the server trusts
 * (a gateway that authenticates the caller and drops the client's own): a
 * server that reads the recipient from the request's authorization instead
 * (its token's claims) passes its own function to the constructor.
 *
 * <p><b>What is withheld</b>: a search Bundle is redacted as a whole, so
 * withheld matches leave it, {@code Bundle.total} is reduced by them, and
 * references to withheld resources are masked (data-absent-reason). A read
 * of a resource that is withheld whole answers 404 Not Found, as for a
 * resource that does not exist, so the answer does not reveal that a
 * restricted record is there. A recipient context the engine rejects (an
 * unknown code in a header) answers 400; any other failure answers 500 and
 * releases nothing.
 *
 * <p>Labeling hooks {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}, which every
 * server fires, plain {@code RestfulServer}s included. A JPA server, which
 * also stores what $operations and patches write, registers
 * {@link SeclabelStorageInterceptor} for that instead of labeling here
 * ({@code labelRequests} false).
 */
@Interceptor
public class SeclabelInterceptor {
    public static final String CLEARANCE_HEADER = "X-Seclabel-Clearance";
    public static final String PURPOSE_OF_USE_HEADER = "X-Seclabel-Purpose-Of-Use";
    public static final String DENY_HEADER = "X-Seclabel-Deny";

    private static final Set<RestOperationTypeEnum> WRITES = Set.of(RestOperationTypeEnum.CREATE,
            RestOperationTypeEnum.UPDATE, RestOperationTypeEnum.TRANSACTION, RestOperationTypeEnum.BATCH);

    private final SeclabelFhir seclabel;
    private final Function<RequestDetails, AccessContext> recipients;
    private final boolean labelRequests;

    /** Labels requests, and redacts for the recipient the headers name. */
    public SeclabelInterceptor(SeclabelFhir seclabel) {
        this(seclabel, SeclabelInterceptor::fromHeaders, true);
    }

    /**
     * @param recipients the recipient of a request (from its authorization, say)
     * @param labelRequests whether to label creates and updates here (false when
     *     {@link SeclabelStorageInterceptor} does it in storage)
     */
    public SeclabelInterceptor(SeclabelFhir seclabel, Function<RequestDetails, AccessContext> recipients, boolean labelRequests) {
        this.seclabel = seclabel;
        this.recipients = recipients;
        this.labelRequests = labelRequests;
    }

    /** The recipient the X-Seclabel-* headers name. */
    public static AccessContext fromHeaders(RequestDetails request) {
        AccessContext.Builder b = AccessContext.builder();
        String clearance = request.getHeader(CLEARANCE_HEADER);
        if (clearance != null) {
            b.clearance(clearance.trim());
        }
        String pou = request.getHeader(PURPOSE_OF_USE_HEADER);
        if (pou != null) {
            b.purposeOfUse(pou.trim());
        }
        List<String> deny = new ArrayList<>();
        List<String> headers = request.getHeaders(DENY_HEADER);
        for (String h : headers == null ? List.<String>of() : headers) {
            for (String code : h.split(",")) {
                if (!code.isBlank()) {
                    deny.add(code.trim());
                }
            }
        }
        if (!deny.isEmpty()) {
            b.deny(deny.toArray(new String[0]));
        }
        return b.build();
    }

    /** The recipient of this request. */
    protected AccessContext recipient(RequestDetails request) {
        return recipients.apply(request);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void labelIncoming(RequestDetails request, RestOperationTypeEnum operation) {
        if (!labelRequests || !WRITES.contains(operation) || request.getResource() == null) {
            return;
        }
        try {
            seclabel.labelInPlace(request.getResource());
        } catch (SeclabelException e) {
            throw failure(e, "labeling");
        }
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean redactOutgoing(RequestDetails request, ResponseDetails response) {
        IBaseResource resource = response.getResponseResource();
        if (resource == null) {
            return true;
        }
        IBaseResource released;
        try {
            released = seclabel.redact(resource, recipient(request)).resource();
        } catch (SeclabelException e) {
            throw failure(e, "redaction");
        }
        if (released == null) {
            throw new ResourceNotFoundException(request.getId() != null
                    ? "Resource " + request.getId().toUnqualifiedVersionless().getValue() + " is not known"
                    : "Not found");
        }
        response.setResponseResource(released);
        return true;
    }

    /** The HTTP error for a failed call: 400 for what the client sent, 500 otherwise. */
    static BaseServerResponseException failure(SeclabelException e, String what) {
        return switch (e.code()) {
            case "invalid_context", "invalid_json", "not_fhir", "unsupported_resource", "too_large", "too_deep" ->
                new InvalidRequestException("seclabel " + what + ": " + e.code() + ": " + e.getMessage());
            default -> new InternalErrorException("seclabel " + what + " failed: " + e.code(), e);
        };
    }
}
