package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestItems(t *testing.T) {
	srv := httptest.NewServer(newMux(seedStore()))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/items")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var items []Item
	if err := json.NewDecoder(resp.Body).Decode(&items); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || len(items) != 3 || items[0].SKU != "bolt-m6" {
		t.Fatalf("GET /items = %d %+v, want 200 and three items sorted by SKU", resp.StatusCode, items)
	}
}

func TestItemBySKU(t *testing.T) {
	srv := httptest.NewServer(newMux(seedStore()))
	defer srv.Close()

	for _, tc := range []struct {
		path string
		want int
	}{
		{"/items/nut-m6", http.StatusOK},
		{"/items/nope", http.StatusNotFound},
	} {
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, resp.StatusCode, tc.want)
		}
	}
}
