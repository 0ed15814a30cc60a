package web

import (
	"reflect"
	"testing"
)

// Every word of the console exists in both languages.
func TestLabelsComplete(t *testing.T) {
	for lang, l := range uiLabels {
		v := reflect.ValueOf(l)
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Kind() == reflect.String && f.String() == "" {
				t.Errorf("%s: the label %s is empty", lang, v.Type().Field(i).Name)
			}
		}
	}
}
