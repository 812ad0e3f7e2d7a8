package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitFlags(t *testing.T) {
	mine, rest := splitFlags([]string{"--nui", "1714307103", "--data", "/d", "-email=a@b.ec", "--dev", "--role", "auditor"}, createUserFlags)
	if diff := cmp.Diff([]string{"--nui", "1714307103", "-email=a@b.ec", "--role", "auditor"}, mine); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"--data", "/d", "--dev"}, rest); diff != "" {
		t.Error(diff)
	}
}

func TestAdminCreateUser(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "registro.csv")
	if err := os.WriteFile(reg, []byte("nui,given_names,surnames,birth_date,nationality,status\n"+
		"1714307103,María José,Guamán Ortiz,1990-05-17,ECUATORIANA,vigente\n"+
		"3000000004,Pedro,Salazar,1960-01-01,ECUATORIANA,fallecido\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run1 := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"admin", "create-user", "--data", dir, "--registry-file", reg}, args...), &out, &errOut)
		return out.String(), errOut.String(), err
	}
	out, _, err := run1("--nui", "1714307103", "--email", "maria@example.test", "--role", "admin_plataforma")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "María José Guamán Ortiz (1714307103): role admin_plataforma, account Pending activation.") ||
		!strings.Contains(out, "http://localhost:8080/activar/") {
		t.Errorf("output:\n%s", out)
	}
	// Again: the same account, a new role.
	out, _, err = run1("--nui", "1714307103", "--email", "maria@example.test", "--role", "operador_digercic")
	if err != nil || !strings.Contains(out, "role operador_digercic") {
		t.Errorf("second role: %v\n%s", err, out)
	}
	if _, _, err := run1("--nui", "3000000004", "--email", "p@example.test", "--role", "auditor"); err == nil ||
		!strings.Contains(err.Error(), "fallecida") {
		t.Errorf("deceased person = %v", err)
	}
	if _, _, err := run1("--nui", "1714307103", "--email", "maria@example.test", "--role", "jefe"); err == nil ||
		!strings.Contains(err.Error(), "Elija un rol de la lista.") {
		t.Errorf("unknown role = %v", err)
	}
	if _, errOut, err := run1("--nui", "1714307103"); err != errUsage || !strings.Contains(errOut, "missing") {
		t.Errorf("missing flags = %v\n%s", err, errOut)
	}
}
