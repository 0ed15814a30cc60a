package intents

import (
	"reflect"
	"strings"
)

// The spaces of French typography: a narrow no-break space before ; ! ?
// and a no-break space before : and inside « », so that a line never
// starts with a lone "?" on a phone's narrow screen.
const (
	narrowNBSP = "\u202f"
	nbsp       = "\u00a0"
)

var frenchSpaces = strings.NewReplacer(
	" ;", narrowNBSP+";", " !", narrowNBSP+"!", " ?", narrowNBSP+"?",
	" :", nbsp+":", "« ", "«"+nbsp, " »", nbsp+"»",
)

// Typeset gives French text the spaces of French typography, outside code
// spans (`...`), which are shown as typed. Contributors type plain spaces;
// the knowledge is typeset once, when it is loaded, so that every output
// (terminal, markdown, Slack, Discord) shows the same.
func Typeset(text string) string {
	if !strings.ContainsAny(text, ";!?:«»") {
		return text
	}
	parts := strings.Split(text, "`")
	for i := 0; i < len(parts); i += 2 { // the even parts are outside code
		parts[i] = frenchSpaces.Replace(parts[i])
	}
	return strings.Join(parts, "`")
}

// typesetFrench typesets every French text of the knowledge: the fields
// named FR of its Text values, wherever they are (entries, services,
// messages, the contact's hours). Example questions (Texts) are left as
// written: they are what people type, for the matcher.
func typesetFrench(kb *Knowledge) {
	typesetValue(reflect.ValueOf(kb).Elem())
}

var textType = reflect.TypeFor[Text]()

func typesetValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			typesetValue(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			typesetValue(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == textType {
			f := v.FieldByName("FR")
			f.SetString(Typeset(f.String()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				typesetValue(v.Field(i))
			}
		}
	}
}
