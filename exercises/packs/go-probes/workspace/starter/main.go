// Command inventory is a small HTTP service that reports how many of each
// item are in stock. It is the starting point of the go-probes lesson pack:
// it works, but it has no probe endpoints and stops abruptly.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sort"
)

// version is printed by -version. Release builds set it with
// -ldflags "-X main.version=1.2.3".
var version = "dev"

// Item is one stock-keeping unit.
type Item struct {
	SKU      string `json:"sku"`
	Name     string `json:"name"`
	Quantity int    `json:"quantity"`
}

// store holds the stock. It is read-only after start, so handlers can
// share it without locking.
type store map[string]Item

func seedStore() store {
	return store{
		"bolt-m6":   {SKU: "bolt-m6", Name: "Hex bolt M6", Quantity: 1200},
		"nut-m6":    {SKU: "nut-m6", Name: "Hex nut M6", Quantity: 950},
		"washer-m6": {SKU: "washer-m6", Name: "Washer M6", Quantity: 0},
	}
}

func newMux(s store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, _ *http.Request) {
		items := make([]Item, 0, len(s))
		for _, it := range s {
			items = append(items, it)
		}
		sort.Slice(items, func(i, j int) bool { return items[i].SKU < items[j].SKU })
		writeJSON(w, http.StatusOK, items)
	})
	mux.HandleFunc("GET /items/{sku}", func(w http.ResponseWriter, r *http.Request) {
		it, ok := s[r.PathValue("sku")]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such item"})
			return
		}
		writeJSON(w, http.StatusOK, it)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	showVersion := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *showVersion {
		fmt.Printf("inventory %s\n", version)
		return
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	addr := os.Getenv("INVENTORY_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	logger.Info("listening", "addr", addr, "version", version)
	// No signal handling and no Shutdown: a stop signal ends the process
	// in the middle of whatever requests it is serving.
	if err := http.ListenAndServe(addr, newMux(seedStore())); err != nil {
		logger.Error("server failed", "err", err)
		os.Exit(1)
	}
}
