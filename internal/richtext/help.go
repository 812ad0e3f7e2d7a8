package richtext

// Help returns the guide to the formatting marks shown beside the body field, in
// Spanish unless lang is "en". It is plain text meant for a <pre> or to be
// passed through Render itself, which shows the marks working.
func Help(lang string) string {
	if lang == "en" {
		return helpEN
	}
	return helpES
}

const helpES = `El texto se envía tal como lo escribe, con estas marcas de formato opcionales:

- Separe los párrafos con una línea en blanco. Los saltos de línea simples se respetan.
- **Negrita**: escriba el texto entre dos asteriscos dobles, así: **plazo de 10 días**.
- *Cursiva*: entre asteriscos simples o guiones bajos: *Registro Oficial* o _Registro Oficial_.
- Listas: empiece cada línea con un guion y un espacio ("- ") o con un número, punto y espacio ("1. ").
- Enlaces: escriba la dirección completa, que empiece con https://, por ejemplo https://www.gob.ec

No se admiten HTML, imágenes ni colores: lo que escriba entre < y > aparece tal cual. Las marcas no cruzan líneas y una marca sin cierre se muestra como texto.`

const helpEN = `The text is sent as you write it, with these optional formatting marks:

- Separate paragraphs with a blank line. Single line breaks are kept.
- **Bold**: put the text between double asterisks, like this: **10-day deadline**.
- *Italic*: between single asterisks or underscores: *Official Register* or _Official Register_.
- Lists: start each line with a hyphen and a space ("- ") or with a number, full stop and space ("1. ").
- Links: write the full address, starting with https://, for example https://www.gob.ec

HTML, images and colours are not supported: whatever you write between < and > shows as is. Marks do not span lines, and a mark without its closing twin shows as text.`
