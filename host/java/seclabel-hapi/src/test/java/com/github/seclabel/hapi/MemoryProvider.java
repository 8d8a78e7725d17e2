package com.github.seclabel.hapi;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.model.api.Include;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.IncludeParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.hl7.fhir.instance.model.api.IBaseReference;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * A resource provider that keeps one type's resources in memory, for a test
 * server: create, update (creating when absent), read, and a search of all
 * of them with _include=* (the resources they reference, from every
 * provider's store, which is one map shared by type and id).
 */
final class MemoryProvider<T extends Resource> implements IResourceProvider {
    private static final AtomicLong IDS = new AtomicLong();

    private final Class<T> type;
    private final FhirContext fhir;
    /** Every stored resource of every provider, by "Type/id": stored as written, copied out. */
    private final Map<String, Resource> store;

    MemoryProvider(Class<T> type, FhirContext fhir, Map<String, Resource> store) {
        this.type = type;
        this.fhir = fhir;
        this.store = store;
    }

    static Map<String, Resource> newStore() {
        return new ConcurrentHashMap<>();
    }

    @Override
    public Class<T> getResourceType() {
        return type;
    }

    private String typeName() {
        return fhir.getResourceType(type);
    }

    @Create
    public MethodOutcome create(@ResourceParam T resource) {
        String id = "gen" + IDS.incrementAndGet();
        resource.setId(new IdType(typeName(), id));
        store.put(typeName() + "/" + id, resource.copy());
        return new MethodOutcome(new IdType(typeName(), id), true);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam T resource) {
        resource.setId(new IdType(typeName(), id.getIdPart()));
        boolean created = store.put(typeName() + "/" + id.getIdPart(), resource.copy()) == null;
        return new MethodOutcome(new IdType(typeName(), id.getIdPart()), created);
    }

    @Read
    public T read(@IdParam IdType id) {
        Resource r = store.get(typeName() + "/" + id.getIdPart());
        if (r == null) {
            throw new ResourceNotFoundException(id);
        }
        return type.cast(r.copy());
    }

    @Search(allowUnknownParams = true)
    public List<T> search(@IncludeParam(allow = {"*"}) Set<Include> includes) {
        List<T> out = new ArrayList<>();
        for (Map.Entry<String, Resource> e : store.entrySet()) {
            if (e.getKey().startsWith(typeName() + "/")) {
                T r = type.cast(e.getValue().copy());
                if (includes != null && !includes.isEmpty()) {
                    // HAPI adds what the references hold as included entries.
                    for (IBaseReference ref : fhir.newTerser().getAllPopulatedChildElementsOfType(r, IBaseReference.class)) {
                        Resource target = ref.getReferenceElement().getValue() == null ? null
                                : store.get(ref.getReferenceElement().toUnqualifiedVersionless().getValue());
                        if (target != null) {
                            ref.setResource(target.copy());
                        }
                    }
                }
                out.add(r);
            }
        }
        out.sort((a, b) -> a.getIdElement().getIdPart().compareTo(b.getIdElement().getIdPart()));
        return out;
    }
}
