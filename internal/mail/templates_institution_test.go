package mail

// Sample data for the institutions' own emails (template_data_institution.go),
// added to the golden test's samples.
func init() {
	samples["institution_admin_change_received"] = InstitutionAdminChangeReceivedData{Name: "Pablo Cevallos",
		Institution: "Gobierno Autónomo Descentralizado de Cuenca", Request: "SOL-2026-7KQ4M9XA", At: sampleSent}
	samples["institution_admin_change_decided"] = InstitutionAdminChangeDecidedData{Name: "Pablo Cevallos",
		Institution: "Gobierno Autónomo Descentralizado de Cuenca", Request: "SOL-2026-7KQ4M9XA", Approved: true, At: sampleSent}
	samples["institution_admin_change_decided/rejected"] = InstitutionAdminChangeDecidedData{Name: "Pablo Cevallos",
		Institution: "Gobierno Autónomo Descentralizado de Cuenca", Request: "SOL-2026-7KQ4M9XA",
		Reason: "La delegación no está firmada por la máxima autoridad.", At: sampleSent}
	samples["institution_role_granted"] = InstitutionRoleGrantedData{Name: "Jorge Andrade",
		Institution: "Servicio de Rentas Internas", Role: "notificador", InvitedBy: "Carmen Yépez", SiteURL: "https://buzon.gob.ec"}
	samples["institution_role_revoked"] = InstitutionRoleRevokedData{Name: "Carmen Yépez",
		Institution: "Servicio de Rentas Internas", Role: "admin_institucional",
		Reason: "El MINTEL aprobó la solicitud SOL-2026-7KQ4M9XA de cambio de administrador.", At: sampleSent}
}
