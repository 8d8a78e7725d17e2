package com.github.seclabel.hapi;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import com.github.seclabel.AccessContext;
import com.github.seclabel.Result;
import com.github.seclabel.Seclabel;
import com.github.seclabel.SeclabelException;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The seclabel operations on HAPI FHIR resources: each resource is encoded
 * as JSON, run through {@link Seclabel}, and the result parsed back into a
 * new resource of the same FHIR version. A result HAPI cannot parse fails
 * with {@link SeclabelException} code {@code internal}: nothing is returned
 * half-converted.
 */
public final class SeclabelFhir {
    private final Seclabel seclabel;
    private final FhirContext fhir;

    public SeclabelFhir(Seclabel seclabel, FhirContext fhir) {
        this.seclabel = seclabel;
        this.fhir = fhir;
    }

    public Seclabel seclabel() {
        return seclabel;
    }

    public FhirContext fhirContext() {
        return fhir;
    }

    /** The resource labeled, as a new resource. */
    public Result<IBaseResource> label(IBaseResource resource) {
        return seclabel.label(encode(resource)).map(this::parse);
    }

    /** The Bundle with its high-water mark, as a new resource. */
    public Result<IBaseResource> hwm(IBaseResource resource) {
        return seclabel.hwm(encode(resource)).map(this::parse);
    }

    /** What the recipient may see, as a new resource; its resource() is null when withheld whole. */
    public Result<IBaseResource> redact(IBaseResource resource, AccessContext recipient) {
        return seclabel.redact(encode(resource), recipient).map(this::parse);
    }

    /** The label findings (diagnostics); the result has no resource. */
    public Result<String> validate(IBaseResource resource) {
        return seclabel.validate(encode(resource));
    }

    /** What must be displayed with it (report.display); the result has no resource. */
    public Result<String> marks(IBaseResource resource) {
        return seclabel.marks(encode(resource));
    }

    /**
     * Labels the resource in place: for a resource a server has already
     * handed to its storage or resource provider, which holds that object.
     */
    public Result<IBaseResource> labelInPlace(IBaseResource resource) {
        Result<IBaseResource> r = label(resource);
        replaceContent(resource, r.resource());
        return r;
    }

    String encode(IBaseResource resource) {
        return fhir.newJsonParser().encodeResourceToString(resource);
    }

    IBaseResource parse(String json) {
        try {
            return fhir.newJsonParser().parseResource(json);
        } catch (RuntimeException e) {
            throw new SeclabelException("internal", "the engine's result could not be read back as FHIR: " + e.getMessage(), e);
        }
    }

    /** Makes target hold exactly what source holds (same resource type). */
    void replaceContent(IBaseResource target, IBaseResource source) {
        RuntimeResourceDefinition def = fhir.getResourceDefinition(target);
        if (!def.equals(fhir.getResourceDefinition(source))) {
            throw new SeclabelException("internal", "labeling changed the resource type");
        }
        for (BaseRuntimeChildDefinition child : def.getChildren()) {
            child.getMutator().setValue(target, null); // a list is emptied
        }
        fhir.newTerser().cloneInto(source, target, true);
    }
}
