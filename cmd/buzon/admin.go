package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"strings"

	"buzon/internal/identity"
	"buzon/internal/server"
)

const adminUsage = `Usage: buzon admin <command> [flags]

Administration tasks on the database, for the platform's operators.
(Tareas de administración sobre la base de datos.)

Commands:
  create-user   create (or find) a person's account and give it a role:
                the first platform administrator, DIGERCIC operators
                (crea o encuentra la cuenta de una persona y le otorga un rol)

Run "buzon admin <command> -h" for a command's flags.
`

// cmdAdmin runs "buzon admin ...".
func cmdAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return errUsage
	}
	switch args[0] {
	case "create-user":
		return adminCreateUser(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, adminUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "buzon admin: unknown command %q\n\n%s", args[0], adminUsage)
		return errUsage
	}
}

// createUserFlags are create-user's own flags; every other flag is the
// server's configuration (--data, --database-url, --registry-file…).
var createUserFlags = []string{"nui", "email", "role", "institution", "given-names", "surnames"}

func adminCreateUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("buzon admin create-user", flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.String("nui", "", "the person's cédula (N.U.I.) (obligatorio)")
	email := fs.String("email", "", "the person's email, where the activation link goes (obligatorio)")
	role := fs.String("role", "", "the role: "+roleList()+" (obligatorio)")
	inst := fs.String("institution", "", "the institution's id, for admin_institucional and notificador")
	given := fs.String("given-names", "", "the person's given names, only when no civil registry is configured")
	surnames := fs.String("surnames", "", "the person's surnames, only when no civil registry is configured")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: buzon admin create-user --nui N --email E --role R [server flags]

Creates the account of the person holding cédula N, pending activation, or
finds it if it exists, and gives it role R. The names come from the civil
registry (--registry-file, --registry-url, or the demo registry with --dev);
without a registry give --given-names and --surnames. An activation email is
queued to E (the server sends it) and the activation link is also printed
here, since the first administrator may have no working mail yet. Staff must
set up two-step verification at their first sign-in. The action is written
to the audit log.
(Crea la cuenta de una persona y le otorga un rol; imprime el enlace de activación.)

Flags:
`)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nEvery flag of \"buzon serve\" (database, data directory, registry, base URL) is accepted too.")
	}
	own, rest := splitFlags(args, createUserFlags)
	if err := fs.Parse(own); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	var missing []string
	for name, v := range map[string]string{"--nui": *id, "--email": *email, "--role": *role} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return usageError(fs, "missing %s", strings.Join(missing, ", "))
	}
	cfg, err := parseConfig("admin create-user", rest, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer srv.Close()
	acc, link, err := srv.Identity().CreateUser(ctx, identity.System(systemName()), identity.CreateUserRequest{
		NUI: *id, Email: *email, Role: identity.Role(*role), InstitutionID: *inst, GivenNames: *given, Surnames: *surnames,
	})
	if err != nil {
		var coded identity.Coded
		if errors.As(err, &coded) {
			return fmt.Errorf("%s (%s)", coded.Error(), coded.English())
		}
		return err
	}
	fmt.Fprintf(stdout, "%s (%s): role %s, account %s.\n", acc.FullName(), acc.NUI, *role, acc.State.English())
	if link != "" {
		fmt.Fprintf(stdout, "Activation link (single use, valid 72 hours; also emailed to %s):\n%s\n", acc.Email, link)
	} else {
		fmt.Fprintln(stdout, "The account is already active: the person signs in as usual and finds the new role.")
	}
	return nil
}

func roleList() string {
	var names []string
	for _, r := range identity.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// systemName names the command line in the audit log, with the operating
// system's user who ran it.
func systemName() string {
	name := "buzon admin create-user"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name += " (usuario del sistema: " + u.Username + ")"
	} else if v := os.Getenv("USER"); v != "" {
		name += " (usuario del sistema: " + v + ")"
	}
	return name
}

// splitFlags separates the flags named in own ("--nui 1", "-nui=1") from
// the others, which keep their order.
func splitFlags(args, own []string) (mine, rest []string) {
	isOwn := func(a string) (bool, bool) {
		name := strings.TrimLeft(a, "-")
		if name == a || name == "" {
			return false, false
		}
		n, _, hasValue := strings.Cut(name, "=")
		for _, o := range own {
			if n == o {
				return true, hasValue
			}
		}
		return false, false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "-h" || a == "--help" || a == "-help" {
			mine = append(mine, a)
			continue
		}
		ok, hasValue := isOwn(a)
		if !ok {
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if !hasValue && i+1 < len(args) {
			mine = append(mine, args[i+1])
			i++
		}
	}
	return mine, rest
}
