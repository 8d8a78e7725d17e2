package com.github.seclabel.hapi;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import com.github.seclabel.SeclabelException;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Labels every resource a HAPI JPA server is about to store, whatever wrote
 * it (a create, an update, a patch, a transaction's entry, an $operation):
 * register it on the server's interceptor service, with a
 * {@link SeclabelInterceptor} that does not label requests.
 */
@Interceptor
public class SeclabelStorageInterceptor {
    private final SeclabelFhir seclabel;

    public SeclabelStorageInterceptor(SeclabelFhir seclabel) {
        this.seclabel = seclabel;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void created(IBaseResource resource) {
        label(resource);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void updated(IBaseResource previous, IBaseResource resource) {
        label(resource);
    }

    private void label(IBaseResource resource) {
        try {
            seclabel.labelInPlace(resource);
        } catch (SeclabelException e) {
            throw SeclabelInterceptor.failure(e, "labeling");
        }
    }
}
