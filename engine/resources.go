package engine

// knowledgeTypes are the R4 resource types that describe knowledge or an
// organisation's directory, never a person: terminology and conformance
// resources, definitions, evidence, medicinal product regulation, and the
// directory of organisations, practitioners and services. A ValueSet that
// lists HIV codes or a HealthcareService offering psychiatry reveals nothing
// about anyone, so a rule labels them only when it names their type.
var knowledgeTypes = map[string]bool{
	"CapabilityStatement": true, "StructureDefinition": true, "ImplementationGuide": true, "SearchParameter": true,
	"MessageDefinition": true, "OperationDefinition": true, "CompartmentDefinition": true, "StructureMap": true,
	"GraphDefinition": true, "ExampleScenario": true,
	"CodeSystem": true, "ValueSet": true, "ConceptMap": true, "NamingSystem": true, "TerminologyCapabilities": true,
	"ActivityDefinition": true, "PlanDefinition": true, "Questionnaire": true, "ObservationDefinition": true,
	"SpecimenDefinition": true, "DeviceDefinition": true, "EventDefinition": true, "ChargeItemDefinition": true,
	"Library": true, "Measure": true, "ResearchDefinition": true, "ResearchElementDefinition": true,
	"Evidence": true, "EvidenceVariable": true, "EffectEvidenceSynthesis": true, "RiskEvidenceSynthesis": true,
	"MedicationKnowledge": true, "MedicinalProduct": true, "MedicinalProductAuthorization": true,
	"MedicinalProductContraindication": true, "MedicinalProductIndication": true, "MedicinalProductIngredient": true,
	"MedicinalProductInteraction": true, "MedicinalProductManufactured": true, "MedicinalProductPackaged": true,
	"MedicinalProductPharmaceutical": true, "MedicinalProductUndesirableEffect": true, "SubstanceNucleicAcid": true,
	"SubstancePolymer": true, "SubstanceProtein": true, "SubstanceReferenceInformation": true,
	"SubstanceSourceMaterial": true, "SubstanceSpecification": true,
	"HealthcareService": true, "Organization": true, "OrganizationAffiliation": true, "Location": true,
	"Endpoint": true, "InsurancePlan": true, "Practitioner": true, "PractitionerRole": true,
	"TestScript": true, "TestReport": true, "Subscription": true, "CatalogEntry": true,
}

// r4Types lists the resource types of FHIR R4 (4.0.1), from the
// StructureDefinitions of the R4 specification (see NOTICE).
var r4Types = map[string]bool{
	"Account": true, "ActivityDefinition": true, "AdverseEvent": true, "AllergyIntolerance": true,
	"Appointment": true, "AppointmentResponse": true, "AuditEvent": true, "Basic": true,
	"Binary": true, "BiologicallyDerivedProduct": true, "BodyStructure": true, "Bundle": true,
	"CapabilityStatement": true, "CarePlan": true, "CareTeam": true, "CatalogEntry": true,
	"ChargeItem": true, "ChargeItemDefinition": true, "Claim": true, "ClaimResponse": true,
	"ClinicalImpression": true, "CodeSystem": true, "Communication": true,
	"CommunicationRequest": true, "CompartmentDefinition": true, "Composition": true,
	"ConceptMap": true, "Condition": true, "Consent": true, "Contract": true, "Coverage": true,
	"CoverageEligibilityRequest": true, "CoverageEligibilityResponse": true, "DetectedIssue": true,
	"Device": true, "DeviceDefinition": true, "DeviceMetric": true, "DeviceRequest": true,
	"DeviceUseStatement": true, "DiagnosticReport": true, "DocumentManifest": true,
	"DocumentReference": true, "EffectEvidenceSynthesis": true, "Encounter": true, "Endpoint": true,
	"EnrollmentRequest": true, "EnrollmentResponse": true, "EpisodeOfCare": true,
	"EventDefinition": true, "Evidence": true, "EvidenceVariable": true, "ExampleScenario": true,
	"ExplanationOfBenefit": true, "FamilyMemberHistory": true, "Flag": true, "Goal": true,
	"GraphDefinition": true, "Group": true, "GuidanceResponse": true, "HealthcareService": true,
	"ImagingStudy": true, "Immunization": true, "ImmunizationEvaluation": true,
	"ImmunizationRecommendation": true, "ImplementationGuide": true, "InsurancePlan": true,
	"Invoice": true, "Library": true, "Linkage": true, "List": true, "Location": true,
	"Measure": true, "MeasureReport": true, "Media": true, "Medication": true,
	"MedicationAdministration": true, "MedicationDispense": true, "MedicationKnowledge": true,
	"MedicationRequest": true, "MedicationStatement": true, "MedicinalProduct": true,
	"MedicinalProductAuthorization": true, "MedicinalProductContraindication": true,
	"MedicinalProductIndication": true, "MedicinalProductIngredient": true,
	"MedicinalProductInteraction": true, "MedicinalProductManufactured": true,
	"MedicinalProductPackaged": true, "MedicinalProductPharmaceutical": true,
	"MedicinalProductUndesirableEffect": true, "MessageDefinition": true, "MessageHeader": true,
	"MolecularSequence": true, "NamingSystem": true, "NutritionOrder": true, "Observation": true,
	"ObservationDefinition": true, "OperationDefinition": true, "OperationOutcome": true,
	"Organization": true, "OrganizationAffiliation": true, "Parameters": true, "Patient": true,
	"PaymentNotice": true, "PaymentReconciliation": true, "Person": true, "PlanDefinition": true,
	"Practitioner": true, "PractitionerRole": true, "Procedure": true, "Provenance": true,
	"Questionnaire": true, "QuestionnaireResponse": true, "RelatedPerson": true, "RequestGroup": true,
	"ResearchDefinition": true, "ResearchElementDefinition": true, "ResearchStudy": true,
	"ResearchSubject": true, "RiskAssessment": true, "RiskEvidenceSynthesis": true, "Schedule": true,
	"SearchParameter": true, "ServiceRequest": true, "Slot": true, "Specimen": true,
	"SpecimenDefinition": true, "StructureDefinition": true, "StructureMap": true,
	"Subscription": true, "Substance": true, "SubstanceNucleicAcid": true, "SubstancePolymer": true,
	"SubstanceProtein": true, "SubstanceReferenceInformation": true, "SubstanceSourceMaterial": true,
	"SubstanceSpecification": true, "SupplyDelivery": true, "SupplyRequest": true, "Task": true,
	"TerminologyCapabilities": true, "TestReport": true, "TestScript": true, "ValueSet": true,
	"VerificationResult": true, "VisionPrescription": true,
}
