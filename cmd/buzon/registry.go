package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"buzon/internal/nui"
	"buzon/internal/registry"
)

const registryUsage = `Usage: buzon registry <command> [flags]

Civil-registry files, for demos, tests and operators.
(Archivos del Registro Civil: generar datos de prueba y consultar cédulas.)

Commands:
  generate   write a synthetic registry of valid, unique cédulas
             (genera un registro sintético)
  lookup     print the person holding a cédula in a registry file
             (muestra a la persona titular de una cédula)

Run "buzon registry <command> -h" for a command's flags.
`

// cmdRegistry runs "buzon registry ...": generating synthetic registry files and looking
// cédulas up in one. Help requested with -h returns flag.ErrHelp; a command line that
// cannot be understood is explained on stderr and returns errUsage.
func cmdRegistry(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, registryUsage)
		return errUsage
	}
	switch args[0] {
	case "generate":
		return registryGenerate(ctx, args[1:], stdout, stderr)
	case "lookup":
		return registryLookup(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, registryUsage)
		return nil
	default:
		fmt.Fprintf(stderr, "buzon registry: unknown command %q\n\n%s", args[0], registryUsage)
		return errUsage
	}
}

func registryGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("buzon registry generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 1000, "how many people to write (cuántas personas)")
	out := fs.String("o", "", "the file to write, or - for standard output (archivo de salida; obligatorio)")
	seed := fs.Int64("seed", 1, "random seed: the same seed writes the same file (semilla)")
	format := fs.String("format", "", "csv or json; by default from the -o extension, csv on standard output (formato)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: buzon registry generate -o FILE [-n N] [-seed S] [-format csv|json]

Writes a synthetic civil registry: valid, unique cédulas across the provinces,
realistic Ecuadorian names, mostly adults, some minors, people over 65, deceased
and cancelled records and resident foreigners, the same for the same seed.
Check a person in it with "buzon registry lookup".
(Genera un Registro Civil sintético para demostraciones y pruebas.)

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return usageError(fs, "-o is required: a file name, or - for standard output")
	}
	if *n < 0 || *n > registry.MaxGenerate {
		return usageError(fs, "-n %d: want 0 to %d", *n, registry.MaxGenerate)
	}
	switch {
	case *format == "" && *out == "-":
		*format = registry.FormatCSV
	case *format == "":
		f, err := registry.FormatOf(*out)
		if err != nil {
			return usageError(fs, "%v, or give -format", err)
		}
		*format = f
	case *format != registry.FormatCSV && *format != registry.FormatJSON:
		return usageError(fs, "-format %q: want csv or json", *format)
	}
	if *out == "-" {
		return registry.Generate(ctxWriter{ctx, stdout}, *n, *seed, *format)
	}
	if err := writeAtomically(*out, func(w io.Writer) error {
		return registry.Generate(ctxWriter{ctx, w}, *n, *seed, *format)
	}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %d people to %s (%s, seed %d)\n", *n, *out, *format, *seed)
	return nil
}

// writeAtomically writes a file through a temporary one beside it, so that an interrupted
// or failed run leaves either the old file or the complete new one.
func writeAtomically(path string, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil { // synthetic data, readable like any new file
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// ctxWriter stops a long write when the context ends (e.g. on Ctrl-C).
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

func registryLookup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("buzon registry lookup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("file", "", "the registry file, .csv or .json (archivo del registro; obligatorio)")
	asJSON := fs.Bool("json", false, "print the person as the registry contract's JSON object")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: buzon registry lookup -file FILE [-json] NUI

Loads a registry file, validating every record, and prints the person holding the
cédula NUI, for operators checking an export or a generated file.
(Consulta una cédula en un archivo del Registro Civil.)

Flags:
`)
		fs.PrintDefaults()
	}
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return flagError(err)
	}
	if *file == "" {
		return usageError(fs, "-file is required")
	}
	if len(positional) != 1 {
		return usageError(fs, "want exactly one N.U.I., got %d arguments", len(positional))
	}
	id, err := nui.Parse(positional[0])
	if err != nil {
		var e *nui.Error
		if errors.As(err, &e) {
			return fmt.Errorf("N.U.I. %q: %s (%s)", positional[0], e.English(), e.Error())
		}
		return err
	}
	reg, err := registry.Open(*file)
	if err != nil {
		return err
	}
	p, err := reg.Lookup(ctx, id)
	if errors.Is(err, registry.ErrNotFound) {
		return fmt.Errorf("no person holds N.U.I. %s in %s (%d people)", id, *file, reg.Len())
	}
	if err != nil {
		return err
	}
	if *asJSON {
		b, err := p.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "nui\t%s\n", p.NUI)
	fmt.Fprintf(tw, "given_names\t%s\n", p.GivenNames)
	fmt.Fprintf(tw, "surnames\t%s\n", p.Surnames)
	fmt.Fprintf(tw, "birth_date\t%s\n", p.BirthDate.Format("2006-01-02"))
	fmt.Fprintf(tw, "nationality\t%s\n", p.Nationality)
	fmt.Fprintf(tw, "status\t%s\n", p.Status)
	return tw.Flush()
}

// parseInterspersed parses flags wherever they are among the arguments, so that both
// "lookup -file x.csv 1714307103" and "lookup 1714307103 -file x.csv" work, and returns
// the other arguments. Everything after "--" is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// usageError prints a command-line mistake with the command's usage, and returns errUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) error {
	fmt.Fprintf(fs.Output(), "%s: %s\n\n", fs.Name(), fmt.Sprintf(format, a...))
	fs.Usage()
	return errUsage
}

// flagError turns the flag package's errors, which it has already printed, into errUsage;
// a request for help stays flag.ErrHelp.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return errUsage
}
