// Package filetype tells what an uploaded file really is from its bytes, never
// from its name, and decides whether a notification may carry it.
//
// The name a sender gives is only a hint used where content cannot decide (plain
// text versus CSV, or text that a double-click would run as a script); otherwise
// the detected type wins and the name is corrected to match (WithExt), so what a
// citizen downloads opens in the program its content is for.
package filetype

// Type is a detected file type. Types are comparable values: compare with the
// package variables (t == filetype.PDF).
type Type struct {
	ID    string // stable short code for logs, metrics and the database: "pdf", "docx"
	MIME  string // media type to serve it with
	Ext   string // canonical extension, with the dot: ".pdf"
	Label string // Spanish name for people: "documento PDF"
}

// String returns the ID.
func (t Type) String() string { return t.ID }

// The types notifications may carry.
var (
	PDF  = Type{"pdf", "application/pdf", ".pdf", "documento PDF"}
	PNG  = Type{"png", "image/png", ".png", "imagen PNG"}
	JPEG = Type{"jpeg", "image/jpeg", ".jpg", "imagen JPEG"}
	GIF  = Type{"gif", "image/gif", ".gif", "imagen GIF"}
	WebP = Type{"webp", "image/webp", ".webp", "imagen WebP"}
	DOCX = Type{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "documento de Word"}
	XLSX = Type{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "hoja de cálculo de Excel"}
	PPTX = Type{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", "presentación de PowerPoint"}
	ODT  = Type{"odt", "application/vnd.oasis.opendocument.text", ".odt", "documento de texto OpenDocument"}
	ODS  = Type{"ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods", "hoja de cálculo OpenDocument"}
	ODP  = Type{"odp", "application/vnd.oasis.opendocument.presentation", ".odp", "presentación OpenDocument"}
	DOC  = Type{"doc", "application/msword", ".doc", "documento de Word 97-2003"}
	XLS  = Type{"xls", "application/vnd.ms-excel", ".xls", "hoja de cálculo de Excel 97-2003"}
	PPT  = Type{"ppt", "application/vnd.ms-powerpoint", ".ppt", "presentación de PowerPoint 97-2003"}
	Text = Type{"text", "text/plain", ".txt", "texto"}
	CSV  = Type{"csv", "text/csv", ".csv", "datos CSV"}
)

// Types that are recognised in order to be refused by name.
var (
	Empty = Type{"empty", "application/octet-stream", "", "archivo vacío"}
	// Nothing recognised, or a damaged office file.
	Unknown    = Type{"unknown", "application/octet-stream", ".bin", "tipo de archivo no reconocido"}
	TIFF       = Type{"tiff", "image/tiff", ".tif", "imagen TIFF"}
	BMP        = Type{"bmp", "image/bmp", ".bmp", "imagen BMP"}
	HTML       = Type{"html", "text/html", ".html", "página web (HTML)"}
	SVG        = Type{"svg", "image/svg+xml", ".svg", "imagen SVG"}
	XML        = Type{"xml", "application/xml", ".xml", "documento XML"}
	JavaScript = Type{"javascript", "text/javascript", ".js", "código JavaScript"}
	// A text file that runs when opened: "#!" or a script extension.
	Script     = Type{"script", "text/plain", ".txt", "guion ejecutable (script)"}
	Executable = Type{"executable", "application/octet-stream", ".exe", "programa ejecutable"}
	// A ZIP that is no office format.
	ZIP = Type{"zip", "application/zip", ".zip", "archivo comprimido ZIP"}
	// Gzip, RAR, 7z, tar and other non-ZIP archives.
	Archive = Type{"archive", "application/octet-stream", ".bin", "archivo comprimido"}
	// An OLE compound file that is not DOC, XLS or PPT: installers, e-mails.
	OLE = Type{"ole", "application/x-ole-storage", ".bin", "archivo de Office antiguo no reconocido"}
	// A DOCX, XLSX, ODT… carrying VBA or Basic macros.
	Macro = Type{"macro", "application/octet-stream", ".bin", "documento de Office con macros"}
	// A PDF or image with HTML or script in its head, or another file appended.
	Polyglot = Type{"polyglot", "application/octet-stream", ".bin", "archivo ambiguo (contiene código HTML o script)"}
)

var allowed = map[Type]bool{
	PDF: true, PNG: true, JPEG: true, GIF: true, WebP: true,
	DOCX: true, XLSX: true, PPTX: true, ODT: true, ODS: true, ODP: true,
	DOC: true, XLS: true, PPT: true, Text: true, CSV: true,
}

// Allowed reports whether a notification may carry a file of type t.
func Allowed(t Type) bool { return allowed[t] }

// AllowedTypes lists the accepted types, for the upload form's help text and
// its accept attribute.
func AllowedTypes() []Type {
	return []Type{PDF, PNG, JPEG, GIF, WebP, DOCX, XLSX, PPTX, ODT, ODS, ODP, DOC, XLS, PPT, Text, CSV}
}

// Error is a refusal with a stable code, a Spanish sentence (its Error text,
// shown as is) and an English twin.
type Error struct {
	code    string
	spanish string
	english string
}

// Error returns the Spanish sentence.
func (e *Error) Error() string { return e.spanish }

// Code returns the stable identifier of the refusal ("filetype.executable").
func (e *Error) Code() string { return e.code }

// English returns the refusal in English.
func (e *Error) English() string { return e.english }

// Refusals returned by Check; compare with errors.Is.
var (
	ErrEmpty = &Error{"filetype.empty",
		"El archivo está vacío.",
		"The file is empty."}
	ErrUnknown = &Error{"filetype.unknown",
		"No se reconoce el tipo del archivo. Se aceptan PDF, imágenes (PNG, JPEG, GIF, WebP), documentos de Office u OpenDocument, texto y CSV.",
		"The file type is not recognised. PDF, images (PNG, JPEG, GIF, WebP), Office or OpenDocument documents, text and CSV are accepted."}
	ErrExecutable = &Error{"filetype.executable",
		"No se aceptan programas ni guiones ejecutables.",
		"Programs and executable scripts are not accepted."}
	ErrScriptable = &Error{"filetype.scriptable",
		"No se aceptan páginas web (HTML), imágenes SVG, XML ni código JavaScript, porque pueden ejecutar código al abrirse. Envíe el contenido como PDF.",
		"Web pages (HTML), SVG images, XML and JavaScript are not accepted because they can run code when opened. Send the content as a PDF."}
	ErrArchive = &Error{"filetype.archive",
		"No se aceptan archivos comprimidos (ZIP, RAR, 7z…). Adjunte cada documento por separado.",
		"Compressed archives (ZIP, RAR, 7z…) are not accepted. Attach each document separately."}
	ErrMacro = &Error{"filetype.macro",
		"No se aceptan documentos de Office con macros. Guárdelo sin macros o como PDF.",
		"Office documents with macros are not accepted. Save it without macros or as a PDF."}
	ErrPolyglot = &Error{"filetype.polyglot",
		"El archivo parece de un tipo pero contiene código HTML o script; por seguridad no se acepta. Vuelva a generarlo, por ejemplo imprimiéndolo como PDF.",
		"The file looks like one type but contains HTML or script code; for safety it is not accepted. Generate it again, for example by printing it to PDF."}
	ErrImageFormat = &Error{"filetype.image_format",
		"Este formato de imagen no se acepta. Conviértala a PNG, JPEG o PDF.",
		"This image format is not accepted. Convert it to PNG, JPEG or PDF."}
	ErrOldOffice = &Error{"filetype.ole",
		"No se reconoce este archivo de Office antiguo (podría ser un instalador o un correo). Guárdelo como DOCX, XLSX o PDF.",
		"This old Office file is not recognised (it may be an installer or an email). Save it as DOCX, XLSX or PDF."}
)

// Check returns nil when t is allowed, or the refusal to show the sender.
func Check(t Type) error {
	if Allowed(t) {
		return nil
	}
	switch t {
	case Empty:
		return ErrEmpty
	case Executable, Script:
		return ErrExecutable
	case HTML, SVG, XML, JavaScript:
		return ErrScriptable
	case ZIP, Archive:
		return ErrArchive
	case Macro:
		return ErrMacro
	case Polyglot:
		return ErrPolyglot
	case TIFF, BMP:
		return ErrImageFormat
	case OLE:
		return ErrOldOffice
	}
	return ErrUnknown
}
