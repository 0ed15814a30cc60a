package chat

import "testing"

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"court", 10, "court"},
		{"exactement", 10, "exactement"},
		{"mot de passe oublié", 8, "mot de …"},
		{"é😀é😀", 4, "é😀…"}, // an emoji is two units
		{"é😀é😀", 3, "é…"},  // never half an emoji
	}
	for _, tt := range tests {
		got := Truncate(tt.in, tt.n)
		if got != tt.want || Len(got) > tt.n {
			t.Errorf("Truncate(%q, %d) = %q (%d units); want %q", tt.in, tt.n, got, Len(got), tt.want)
		}
	}
}
