// The security-label codes of HL7 Terminology (THO) 5.1.0, plus the later
// codes the engine accepts, as listed in the HL7 Terminology code systems
// v3-Confidentiality, v3-ActCode, v3-ObservationValue and v3-ActReason (see
// NOTICE). Only the subtrees that hold security labels are listed.

package vocab

import "strings"

// rows lists every code the engine knows, one per line: system, code,
// display, parents (comma separated) and flags (abstract, retired, later),
// separated by "|". One string, not an array of strings: the module would
// carry a string header for every field.
var rows = table(`
Confidentiality|U|unrestricted||
Confidentiality|L|low||
Confidentiality|M|moderate||
Confidentiality|N|normal||
Confidentiality|R|restricted||
Confidentiality|V|very restricted||
Confidentiality|B|business||retired
Confidentiality|D|clinician||retired
Confidentiality|I|individual||retired
Confidentiality|ETH|substance abuse related||retired
Confidentiality|HIV|HIV related||retired
Confidentiality|PSY|psychiatry related||retired
Confidentiality|SDV|sexual and domestic violence related||retired
Confidentiality|C|celebrity||retired
Confidentiality|S|sensitive||retired
Confidentiality|T|taboo||retired
ActCode|_ActPolicyType|ActPolicyType||abstract
ActCode|_ActPrivacyPolicy|ActPrivacyPolicy|_ActPolicyType|abstract
ActCode|SecurityPolicy|security policy|_ActPolicyType|
ActCode|ObligationPolicy|obligation policy|SecurityPolicy|
ActCode|RefrainPolicy|refrain policy|SecurityPolicy|
ActCode|PrivacyMark|privacy mark|SecurityPolicy|abstract
ActCode|AUTHPOL|authorization policy|SecurityPolicy|
ActCode|ACCESSCONSCHEME|access control scheme|AUTHPOL|
ActCode|DELEPOL|delegation policy|SecurityPolicy|
ActCode|COVPOL|benefit policy|_ActPolicyType|
ActCode|ActTrustPolicyType|trust policy|_ActPolicyType|abstract
ActCode|TRSTACCRD|trust accreditation|ActTrustPolicyType|
ActCode|TRSTAGRE|trust agreement|ActTrustPolicyType|
ActCode|TRSTASSUR|trust assurance|ActTrustPolicyType|
ActCode|TRSTCERT|trust certificate|ActTrustPolicyType|
ActCode|TRSTFWK|trust framework|ActTrustPolicyType|
ActCode|TRSTMEC|trust mechanism|ActTrustPolicyType|
ActCode|_ActInformationActionPolicy|ActInformationActionPolicy|_ActPolicyType|abstract
ActCode|INFOACCESS|access information|_ActInformationActionPolicy|
ActCode|INFOCOLLECT|collect information|_ActInformationActionPolicy|
ActCode|INFODEIDENTIFIY|deidentify information|_ActInformationActionPolicy|
ActCode|INFODISCLOSE|disclose information|_ActInformationActionPolicy|
ActCode|INFOMASK|mask information|_ActInformationActionPolicy|
ActCode|INFOREADONLY|read only information|_ActInformationActionPolicy|
ActCode|INFOREDACT|redact information|_ActInformationActionPolicy|
ActCode|INFOREDISCLOSE|redisclose information|_ActInformationActionPolicy|
ActCode|INFOREIDENTIFY|reidentify information|_ActInformationActionPolicy|
ActCode|INFOUSE|use information|_ActInformationActionPolicy|
ActCode|_ActInformationPolicy|ActInformationPolicy|_ActPolicyType|abstract
ActCode|JurisIP|jurisdictional information policy|_ActInformationPolicy|
ActCode|JurisCUI||JurisIP|
ActCode|JurisDEID||JurisIP|
ActCode|JurisLDS||JurisIP|
ActCode|JurisNSI||JurisIP|
ActCode|JurisPI||JurisIP|
ActCode|JurisSP-CUI||JurisIP|
ActCode|JurisUUI||JurisIP|
ActCode|OrgIP|organizational information policy|_ActInformationPolicy|
ActCode|OrgCUI||OrgIP|
ActCode|OrgDEID||OrgIP|
ActCode|OrgLDS||OrgIP|
ActCode|OrgNSI||OrgIP|
ActCode|OrgPI||OrgIP|
ActCode|OrgSP-CUI||OrgIP|
ActCode|OrgUUI||OrgIP|
ActCode|PersIP|personal information policy|_ActInformationPolicy|
ActCode|PersDEID||PersIP|
ActCode|PersLDS||PersIP|
ActCode|PersNSI||PersIP|
ActCode|PersPI||PersIP|
ActCode|_ActConsent|ActConsent|_ActPolicyType|abstract
ActCode|_ActDecision|ActDecision|_ActConsent|abstract
ActCode|_ActPrivacyConsentDirective|ActPrivacyConsentDirective|_ActConsent|abstract
ActCode|_ActGDPRConsentDirective|ActGDPRConsentDirective|_ActPrivacyConsentDirective|abstract
ActCode|GDPRCD||_ActGDPRConsentDirective|
ActCode|GDPRResearchCD||_ActGDPRConsentDirective|
ActCode|_ActGenericConsentDirective|ActGenericConsentDirective|_ActPrivacyConsentDirective|abstract
ActCode|OIC||_ActGenericConsentDirective|
ActCode|OIS||_ActGenericConsentDirective|
ActCode|OOC||_ActGenericConsentDirective|
ActCode|OOS||_ActGenericConsentDirective|
ActCode|_ActUSPrivacyConsentDirective|ActUSPrivacyConsentDirective|_ActPrivacyConsentDirective|abstract
ActCode|42CFRPart2CD||_ActUSPrivacyConsentDirective|
ActCode|CompoundResearchCD||_ActUSPrivacyConsentDirective|
ActCode|HIPAAAuthCD||_ActUSPrivacyConsentDirective|
ActCode|HIPAAConsentCD||_ActUSPrivacyConsentDirective|
ActCode|HIPAAResearchAuthCD||_ActUSPrivacyConsentDirective|
ActCode|HIPAAROAD||_ActUSPrivacyConsentDirective|
ActCode|MDHHS-5515||_ActUSPrivacyConsentDirective|
ActCode|MDHHS-5515MMHC||_ActUSPrivacyConsentDirective|
ActCode|MDHHS-5515Part2||_ActUSPrivacyConsentDirective|
ActCode|USResearchInformedAssent||_ActUSPrivacyConsentDirective|
ActCode|USResearchInformedConsent||_ActUSPrivacyConsentDirective|
ActCode|USBroadResearchConsent||_ActUSPrivacyConsentDirective|
ActCode|_ActConsentType|ActConsentType|_ActConsent|abstract
ActCode|ICOL|information collection|_ActConsentType|
ActCode|IDSCL|information disclosure|_ActConsentType|
ActCode|INFA|information access|_ActConsentType|
ActCode|INFAO|access only|INFA|
ActCode|INFASO|access and save only|INFA|
ActCode|IRDSCL|information redisclosure|_ActConsentType|
ActCode|RESEARCH|research information access|_ActConsentType|
ActCode|RSDID|de-identified information access|RESEARCH|
ActCode|RSREID|re-identifiable information access|RESEARCH|
ObservationValue|_SecurityObservationValue|SecurityObservationValue||abstract
ActReason|_ActHealthInformationManagementReason|ActHealthInformationManagementReason||abstract
ActCode|_InformationSensitivityPolicy|InformationSensitivityPolicy|_ActPrivacyPolicy|abstract
ActCode|_ActInformationSensitivityPolicy|ActInformationSensitivityPolicy|_InformationSensitivityPolicy|abstract
ActCode|ETH|substance abuse information sensitivity|_ActInformationSensitivityPolicy|
ActCode|GDIS|genetic disease information sensitivity|_ActInformationSensitivityPolicy|
ActCode|HIV|HIV/AIDS information sensitivity|_ActInformationSensitivityPolicy|
ActCode|MST|military sexual trauma information sensitivity|_ActInformationSensitivityPolicy|
ActCode|PREGNANT|pregnancy information sensitivity|_ActInformationSensitivityPolicy|
ActCode|SCA|sickle cell anemia information sensitivity|_ActInformationSensitivityPolicy|
ActCode|SDV|sexual assault, abuse, or domestic violence information sensitivity|_ActInformationSensitivityPolicy|
ActCode|SEX|sexuality and reproductive health information sensitivity|_ActInformationSensitivityPolicy|
ActCode|SPI|specially protected information sensitivity|_ActInformationSensitivityPolicy|
ActCode|BH|behavioral health information sensitivity|SPI|
ActCode|COGN|cognitive disability information sensitivity|BH|
ActCode|DVD|developmental disability information sensitivity|BH|
ActCode|EMOTDIS|emotional disturbance information sensitivity|BH|
ActCode|MH|mental health information sensitivity|SPI|
ActCode|PSY|psychiatry disorder information sensitivity|SPI|
ActCode|PSYTHPN|psychotherapy note information sensitivity|SPI|
ActCode|SUD|substance use disorder information sensitivity|SPI|
ActCode|ETHUD|alcohol use disorder information sensitivity|SUD|
ActCode|OPIOIDUD|opioid use disorder information sensitivity|SUD|
ActCode|STD|sexually transmitted disease information sensitivity|_ActInformationSensitivityPolicy|
ActCode|TBOO|taboo|_ActInformationSensitivityPolicy|
ActCode|VIO|violence information sensitivity|_ActInformationSensitivityPolicy|
ActCode|IDS|Identifier Sensitivity|_ActInformationSensitivityPolicy|
ActCode|SICKLE|sickle cell|_ActInformationSensitivityPolicy|retired
ActCode|_EntitySensitivityPolicyType|EntityInformationSensitivityPolicy|_InformationSensitivityPolicy|abstract
ActCode|DEMO|all demographic information sensitivity|_EntitySensitivityPolicyType|
ActCode|DOB|date of birth information sensitivity|_EntitySensitivityPolicyType|
ActCode|GENDER|gender and sexual orientation information sensitivity|_EntitySensitivityPolicyType|
ActCode|LIVARG|living arrangement information sensitivity|_EntitySensitivityPolicyType|
ActCode|MARST|marital status information sensitivity|_EntitySensitivityPolicyType|
ActCode|PATLOC|patient location|_EntitySensitivityPolicyType|
ActCode|RACE|race information sensitivity|_EntitySensitivityPolicyType|
ActCode|REL|religion information sensitivity|_EntitySensitivityPolicyType|
ActCode|_RoleInformationSensitivityPolicy|RoleInformationSensitivityPolicy|_InformationSensitivityPolicy|abstract
ActCode|B|business information sensitivity|_RoleInformationSensitivityPolicy|
ActCode|EMPL|employer information sensitivity|_RoleInformationSensitivityPolicy|
ActCode|LOCIS|location information sensitivity|_RoleInformationSensitivityPolicy|
ActCode|SSP|sensitive service provider information sensitivity|_RoleInformationSensitivityPolicy|
ActCode|ADOL|adolescent information sensitivity|_InformationSensitivityPolicy|
ActCode|CEL|celebrity information sensitivity|_InformationSensitivityPolicy|
ActCode|VIP|celebrity information sensitivity|_InformationSensitivityPolicy|
ActCode|DIA|diagnosis information sensitivity|_InformationSensitivityPolicy|
ActCode|DRGIS|drug information sensitivity|_InformationSensitivityPolicy|
ActCode|EMP|employee information sensitivity|_InformationSensitivityPolicy|
ActCode|PDS|patient default information sensitivity|_InformationSensitivityPolicy|
ActCode|PHY|physician requested information sensitivity|_InformationSensitivityPolicy|
ActCode|PRS|patient requested information sensitivity|_InformationSensitivityPolicy|
ActCode|COMPT|compartment|_ActPrivacyPolicy|
ActCode|ACOCOMPT|accountable care organization compartment|COMPT|
ActCode|CDSSCOMPT|CDS system compartment|COMPT|
ActCode|CTCOMPT|care team compartment|COMPT|
ActCode|FMCOMPT|financial management compartment|COMPT|
ActCode|HRCOMPT|human resource compartment|COMPT|
ActCode|LRCOMPT|legitimate relationship compartment|COMPT|
ActCode|PACOMPT|patient administration compartment|COMPT|
ActCode|RESCOMPT|research project compartment|COMPT|
ActCode|RMGTCOMPT|records management compartment|COMPT|
ObservationValue|_SECINTOBV|security integrity|_SecurityObservationValue|abstract
ObservationValue|_SECALTINTOBV|alteration integrity|_SECINTOBV|abstract
ObservationValue|ABSTRED|abstracted|_SECALTINTOBV|
ObservationValue|AGGRED|aggregated|_SECALTINTOBV|
ObservationValue|ANONYED|anonymized|_SECALTINTOBV|
ObservationValue|MAPPED|mapped|_SECALTINTOBV|
ObservationValue|MASKED|masked|_SECALTINTOBV|
ObservationValue|PSEUDED|pseudonymized|_SECALTINTOBV|
ObservationValue|REDACTED|redacted|_SECALTINTOBV|
ObservationValue|SUBSETTED|subsetted|_SECALTINTOBV|
ObservationValue|SYNTAC|syntactic transform|_SECALTINTOBV|
ObservationValue|TRSLT|translated|_SECALTINTOBV|
ObservationValue|VERSIONED|versioned|_SECALTINTOBV|
ObservationValue|_SECDATINTOBV|data integrity|_SECINTOBV|abstract
ObservationValue|CRYTOHASH|cryptographic hash function|_SECDATINTOBV|
ObservationValue|DIGSIG|digital signature|_SECDATINTOBV|
ObservationValue|_SECINTCONOBV|integrity confidence|_SECINTOBV|abstract
ObservationValue|HRELIABLE|highly reliable|_SECINTCONOBV|
ObservationValue|RELIABLE|reliable|_SECINTCONOBV|
ObservationValue|UNCERTREL|uncertain reliability|_SECINTCONOBV|
ObservationValue|UNRELIABLE|unreliable|_SECINTCONOBV|
ObservationValue|_SECINTPRVOBV|provenance|_SECINTOBV|abstract
ObservationValue|_SECINTPRVABOBV|provenance asserted by|_SECINTPRVOBV|abstract
ObservationValue|CLINAST|clinician asserted|_SECINTPRVABOBV|
ObservationValue|DEVAST|device asserted|_SECINTPRVABOBV|
ObservationValue|HCPAST|healthcare professional asserted|_SECINTPRVABOBV|
ObservationValue|PACQAST|patient acquaintance asserted|_SECINTPRVABOBV|
ObservationValue|PATAST|patient asserted|_SECINTPRVABOBV|
ObservationValue|PAYAST|payer asserted|_SECINTPRVABOBV|
ObservationValue|PROAST|professional asserted|_SECINTPRVABOBV|
ObservationValue|SDMAST|substitute decision maker asserted|_SECINTPRVABOBV|
ObservationValue|AIAST|Artificial Intelligence asserted|_SECINTPRVABOBV|later
ObservationValue|DICTAST|Dictation asserted|_SECINTPRVABOBV|later
ObservationValue|_SECINTPRVRBOBV|provenance reported by|_SECINTPRVOBV|abstract
ObservationValue|CLINRPT|clinician reported|_SECINTPRVRBOBV|
ObservationValue|DEVRPT|device reported|_SECINTPRVRBOBV|
ObservationValue|HCPRPT|healthcare professional reported|_SECINTPRVRBOBV|
ObservationValue|PACQRPT|patient acquaintance reported|_SECINTPRVRBOBV|
ObservationValue|PATRPT|patient reported|_SECINTPRVRBOBV|
ObservationValue|PAYRPT|payer reported|_SECINTPRVRBOBV|
ObservationValue|PRORPT|professional reported|_SECINTPRVRBOBV|
ObservationValue|SDMRPT|substitute decision maker reported|_SECINTPRVRBOBV|
ObservationValue|_SECINTSTOBV|integrity status|_SECINTOBV|abstract
ObservationValue|SECTRSTOBV|security trust observation|_SecurityObservationValue|abstract
ObservationValue|TRSTACCRDOBV|trust accreditation observation|SECTRSTOBV|
ObservationValue|TRSTAGREOBV|trust agreement observation|SECTRSTOBV|
ObservationValue|TRSTCERTOBV|trust certificate observation|SECTRSTOBV|
ObservationValue|TRSTFWKOBV|none supplied 5|SECTRSTOBV|abstract
ObservationValue|TRSTLOAOBV|trust assurance observation|SECTRSTOBV|abstract
ObservationValue|LOAAN|authentication level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOAAN1|low authentication level of assurance|LOAAN|
ObservationValue|LOAAN2|basic authentication level of assurance|LOAAN|
ObservationValue|LOAAN3|medium authentication level of assurance|LOAAN|
ObservationValue|LOAAN4|high authentication level of assurance|LOAAN|
ObservationValue|LOAAP|authentication process level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOAAP1|low authentication process level of assurance|LOAAP|
ObservationValue|LOAAP2|basic authentication process level of assurance|LOAAP|
ObservationValue|LOAAP3|medium authentication process level of assurance|LOAAP|
ObservationValue|LOAAP4|high authentication process level of assurance|LOAAP|
ObservationValue|LOAAS|assertion level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOAAS1|low assertion level of assurance|LOAAS|
ObservationValue|LOAAS2|basic assertion level of assurance|LOAAS|
ObservationValue|LOAAS3|medium assertion level of assurance|LOAAS|
ObservationValue|LOAAS4|high assertion level of assurance|LOAAS|
ObservationValue|LOACM|token and credential management level of assurance value)|TRSTLOAOBV|abstract
ObservationValue|LOACM1|low token and credential management level of assurance|LOACM|
ObservationValue|LOACM2|basic token and credential management level of assurance|LOACM|
ObservationValue|LOACM3|medium token and credential management level of assurance|LOACM|
ObservationValue|LOACM4|high token and credential management level of assurance|LOACM|
ObservationValue|LOAID|identity proofing level of assurance|TRSTLOAOBV|abstract
ObservationValue|LOAID1|low identity proofing level of assurance|LOAID|
ObservationValue|LOAID2|basic identity proofing level of assurance|LOAID|
ObservationValue|LOAID3|medium identity proofing level of assurance|LOAID|
ObservationValue|LOAID4|high identity proofing level of assurance|LOAID|
ObservationValue|LOANR|non-repudiation level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOANR1|low non-repudiation level of assurance|LOANR|
ObservationValue|LOANR2|basic non-repudiation level of assurance|LOANR|
ObservationValue|LOANR3|medium non-repudiation level of assurance|LOANR|
ObservationValue|LOANR4|high non-repudiation level of assurance|LOANR|
ObservationValue|LOARA|remote access level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOARA1|low remote access level of assurance|LOARA|
ObservationValue|LOARA2|basic remote access level of assurance|LOARA|
ObservationValue|LOARA3|medium remote access level of assurance|LOARA|
ObservationValue|LOARA4|high remote access level of assurance|LOARA|
ObservationValue|LOATK|token level of assurance value|TRSTLOAOBV|abstract
ObservationValue|LOATK1|low token level of assurance|LOATK|
ObservationValue|LOATK2|basic token level of assurance|LOATK|
ObservationValue|LOATK3|medium token level of assurance|LOATK|
ObservationValue|LOATK4|high token level of assurance|LOATK|
ObservationValue|TRSTMECOBV|none supplied 6|SECTRSTOBV|
ActReason|PurposeOfUse|purpose of use|_ActHealthInformationManagementReason|abstract
ActReason|HMARKT|healthcare marketing|PurposeOfUse|
ActReason|HOPERAT|healthcare operations|PurposeOfUse|
ActReason|CAREMGT|care management|HOPERAT|
ActReason|DONAT|donation|HOPERAT|
ActReason|FRAUD|fraud|HOPERAT|
ActReason|GOV|government|HOPERAT|
ActReason|HACCRED|health accreditation|HOPERAT|
ActReason|HCOMPL|health compliance|HOPERAT|
ActReason|HDECD|decedent|HOPERAT|
ActReason|HDIRECT|directory|HOPERAT|
ActReason|HDM|healthcare delivery management|HOPERAT|
ActReason|HLEGAL|legal|HOPERAT|
ActReason|HOUTCOMS|health outcome measure|HOPERAT|
ActReason|HPRGRP|health program reporting|HOPERAT|
ActReason|HQUALIMP|health quality improvement|HOPERAT|
ActReason|HSYSADMIN|health system administration|HOPERAT|
ActReason|LABELING|labeling|HSYSADMIN|
ActReason|METAMGT|metadata management|HSYSADMIN|
ActReason|MEMADMIN|member administration|HOPERAT|
ActReason|MILCDM|military command|HOPERAT|
ActReason|PATADMIN|patient administration|HOPERAT|
ActReason|PATSFTY|patient safety|HOPERAT|
ActReason|PERFMSR|performance measure|HOPERAT|
ActReason|RECORDMGT|records management|HOPERAT|
ActReason|SYSDEV|system development|HOPERAT|
ActReason|HTEST|test health data|SYSDEV|
ActReason|TRAIN|training|HOPERAT|
ActReason|MLTRAINING|machine learning training|HOPERAT|later
ActReason|HPAYMT|healthcare payment|PurposeOfUse|
ActReason|CLMATTCH|claim attachment|HPAYMT|
ActReason|COVAUTH|coverage authorization|HPAYMT|
ActReason|COVERAGE|coverage under policy or program|HPAYMT|
ActReason|ELIGDTRM|eligibility determination|COVERAGE|
ActReason|ELIGVER|eligibility verification|COVERAGE|
ActReason|ENROLLM|enrollment|COVERAGE|
ActReason|MILDCRG|military discharge|COVERAGE|
ActReason|REMITADV|remittance advice|HPAYMT|
ActReason|PMTDS|decision support assisted payment decision|HPAYMT|later
ActReason|HRESCH|healthcare research|PurposeOfUse|
ActReason|BIORCH|biomedical research|HRESCH|
ActReason|CLINTRCH|clinical trial research|HRESCH|
ActReason|CLINTRCHNPC|clinical trial research without patient care|CLINTRCH|
ActReason|CLINTRCHPC|clinical trial research with patient care|CLINTRCH|
ActReason|PRECLINTRCH|preclinical trial research|CLINTRCH|
ActReason|DSRCH|disease specific healthcare research|HRESCH|
ActReason|POARCH|population origins or ancestry healthcare research|HRESCH|
ActReason|TRANSRCH|translational healthcare research|HRESCH|
ActReason|PATRQT|patient requested|PurposeOfUse|
ActReason|FAMRQT|family requested|PATRQT|
ActReason|PWATRNY|power of attorney|PATRQT|
ActReason|SUPNWK|support network|PATRQT|
ActReason|PUBHLTH|public health|PurposeOfUse|
ActReason|DISASTER|disaster|PUBHLTH|
ActReason|THREAT|threat|PUBHLTH|
ActReason|TREAT|treatment|PurposeOfUse|
ActReason|CLINTRL|clinical trial|TREAT|
ActReason|COC|coordination of care|TREAT|
ActReason|ETREAT|Emergency Treatment|TREAT|
ActReason|BTG|break the glass|ETREAT|
ActReason|ERTREAT|emergency room treatment|ETREAT|
ActReason|POPHLTH|population health|TREAT|
ActReason|TREATDS|decision support assisted treatment decision|TREAT|later
ActCode|ANONY|anonymize|ObligationPolicy|
ActCode|AOD|accounting of disclosure|ObligationPolicy|
ActCode|AUDIT|audit|ObligationPolicy|
ActCode|AUDTR|audit trail|ObligationPolicy|
ActCode|CPLYPOL|comply with policy|ObligationPolicy|
ActCode|CPLYCC|comply with confidentiality code|CPLYPOL|
ActCode|CPLYCD|comply with consent directive|CPLYPOL|
ActCode|CPLYCUI|comply with controlled unclassified information policy|CPLYPOL|
ActCode|CPLYJPP|comply with jurisdictional privacy policy|CPLYPOL|
ActCode|CPLYJSP|comply with jurisdictional security policy|CPLYPOL|
ActCode|CPLYOPP|comply with organizational privacy policy|CPLYPOL|
ActCode|CPLYOSP|comply with organizational security policy|CPLYPOL|
ActCode|DECLASSIFYLABEL|declassify security label|ObligationPolicy|
ActCode|DEID|deidentify|ObligationPolicy|
ActCode|DELAU|delete after use|ObligationPolicy|
ActCode|DOWNGRDLABEL|downgrade security label|ObligationPolicy|
ActCode|DRIVLABEL|derive security label|ObligationPolicy|
ActCode|ENCRYPT|encrypt|ObligationPolicy|
ActCode|ENCRYPTR|encrypt at rest|ENCRYPT|
ActCode|ENCRYPTT|encrypt in transit|ENCRYPT|
ActCode|ENCRYPTU|encrypt in use|ENCRYPT|
ActCode|HUAPRV|human approval|ObligationPolicy|
ActCode|LABEL|assign security label|ObligationPolicy|
ActCode|MASK|mask|ObligationPolicy|
ActCode|MINEC|minimum necessary|ObligationPolicy|
ActCode|PERSISTLABEL|persist security label|ObligationPolicy|
ActCode|PRIVMARK|privacy mark|ObligationPolicy|
ActCode|CUIMark|CUI Mark|PRIVMARK|
ActCode|PSEUD|pseudonymize|ObligationPolicy|
ActCode|REDACT|redact|ObligationPolicy|
ActCode|UPGRDLABEL|upgrade security label|ObligationPolicy|
ActCode|PROCESSINLINELABEL|process inline security label|ObligationPolicy|
ActCode|NOAUTH|no disclosure without subject authorization|RefrainPolicy|
ActCode|NOCOLLECT|no collection|RefrainPolicy|
ActCode|NODSCLCD|no disclosure without consent directive|RefrainPolicy|
ActCode|NODSCLCDS|no disclosure without information subject's consent directive|RefrainPolicy|
ActCode|NOINTEGRATE|no integration|RefrainPolicy|
ActCode|NOLIST|no unlisted entity disclosure|RefrainPolicy|
ActCode|NOMOU|no disclosure without MOU|RefrainPolicy|
ActCode|NOORGPOL|no disclosure without organizational authorization|RefrainPolicy|
ActCode|NOPAT|no disclosure to patient, family or caregivers without attending provider's authorization|RefrainPolicy|
ActCode|NOPERSISTP|no collection beyond purpose of use|RefrainPolicy|
ActCode|NORDSCLCD|no redisclosure without consent directive|RefrainPolicy|
ActCode|NORDSLCD|no redisclosure without consent directive|RefrainPolicy|retired
ActCode|NORDSCLCDS|no redisclosure without information subject's consent directive|RefrainPolicy|
ActCode|NORDSCLW|no disclosure without jurisdictional authorization|RefrainPolicy|
ActCode|NORELINK|no relinking|RefrainPolicy|
ActCode|NOREUSE|no reuse beyond purpose of use|RefrainPolicy|
ActCode|NOVIP|no unauthorized VIP disclosure|RefrainPolicy|
ActCode|ORCON|no disclosure without originator authorization|RefrainPolicy|
ActCode|SecurityLabelMark|Security Label Mark|PrivacyMark|abstract
ActCode|ConfidentialMark|confidential mark|SecurityLabelMark|
ActCode|COPYMark|copy of original mark|SecurityLabelMark|
ActCode|DeliverToAddresseeOnlyMark|deliver only to addressee mark|SecurityLabelMark|
ActCode|RedisclosureProhibitionMark|prohibition against redisclosure mark|SecurityLabelMark|
ActCode|RestrictedConfidentialityMark|restricted confidentiality mark|SecurityLabelMark|
ActCode|DRAFTMark|Draft Mark|SecurityLabelMark|
ActCode|ControlledUnclassifiedInformation|ControlledUnclassifiedInformation|PrivacyMark|abstract
ActCode|CONTROLLED|CONTROLLED|ControlledUnclassifiedInformation|
ActCode|CUI|CUI|ControlledUnclassifiedInformation|
ActCode|CUIHLTH|CUI//HLTH|ControlledUnclassifiedInformation|
ActCode|CUIHLTHP|(CUI//HLTH)|ControlledUnclassifiedInformation|
ActCode|CUIP|(CUI)|ControlledUnclassifiedInformation|
ActCode|CUIPRVCY|CUI//PRVCY|ControlledUnclassifiedInformation|
ActCode|CUIPRVCYP|(CUI//PRVCY)|ControlledUnclassifiedInformation|
ActCode|CUISP-HLTH|CUI//SP-HLTH|ControlledUnclassifiedInformation|
ActCode|CUISP-HLTHP|(CUI//SP-HLTH)|ControlledUnclassifiedInformation|
ActCode|CUISP-PRVCY|CUI//SP-PRVCY|ControlledUnclassifiedInformation|
ActCode|CUISP-PRVCYP|(CUI//SP-PRVCY)|ControlledUnclassifiedInformation|
ActCode|UUI|(U)|ControlledUnclassifiedInformation|
ActCode|_ActPrivacyLaw|ActPrivacyLaw|_ActPrivacyPolicy|abstract
ActCode|_ActGDPRPrivacyLaw|General Data Protection Regulation|_ActPrivacyLaw|abstract
ActCode|GDPRCONSENT|GDPR Consent|_ActGDPRPrivacyLaw|
ActCode|_ActUSPrivacyLaw|_ActUSPrivacyLaw|_ActPrivacyLaw|
ActCode|42CFRPart2|42 CFR Part2|_ActUSPrivacyLaw|
ActCode|CommonRule|Common Rule|_ActUSPrivacyLaw|
ActCode|HIPAAAuth|HIPAA Authorization for Disclosure|_ActUSPrivacyLaw|
ActCode|HIPAAConsent|HIPAA Consent|_ActUSPrivacyLaw|
ActCode|HIPAANOPP|HIPAA notice of privacy practices|_ActUSPrivacyLaw|
ActCode|HIPAAPsyNotes|HIPAA psychotherapy notes|_ActUSPrivacyLaw|
ActCode|HIPAAROA|HIPAA Right of Access|_ActUSPrivacyLaw|
ActCode|HIPAASelfPay|HIPAA self-pay|_ActUSPrivacyLaw|
ActCode|Title38Section7332|Title 38 Section 7332|_ActUSPrivacyLaw|
ActCode|_ActConsentDirective|ActConsentDirective|_ActPrivacyPolicy|abstract
ActCode|EMRGONLY|emergency only|_ActConsentDirective|
ActCode|GRANTORCHOICE|grantor choice|_ActConsentDirective,_ActDecision|
ActCode|IMPLIED|implied consent|_ActConsentDirective,_ActDecision|
ActCode|IMPLIEDD|implied consent with opportunity to dissent|_ActConsentDirective,_ActDecision|
ActCode|NOCONSENT|no consent|_ActConsentDirective,_ActDecision|
ActCode|NOPP|notice of privacy practices|_ActConsentDirective|
ActCode|OPTIN|opt-in|_ActConsentDirective,_ActDecision|
ActCode|OPTINR|opt-in with restrictions|_ActConsentDirective,_ActDecision|
ActCode|OPTOUT|op-out|_ActConsentDirective,_ActDecision|
ActCode|OPTOUTE|opt-out with exceptions|_ActConsentDirective,_ActDecision|`)

// table splits s into its lines' five fields.
func table(s string) [][5]string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	t := make([][5]string, len(lines))
	for i, line := range lines {
		f := strings.SplitN(line, "|", 5)
		if len(f) != 5 {
			panic("vocab: malformed row " + line)
		}
		t[i] = [5]string(f)
	}
	return t
}
