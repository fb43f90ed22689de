// Command gen-go-sdk writes the Go SDK of a Pulumi package, as a Go module, from the package's
// schema (`pulumi package get-schema`):
//
//	gen-go-sdk -schema schema.json -module polytomic.local/sdk -out sdks/polytomic
//
// It exists because the newest Go language host that the Go module proxy serves (v3.66.0) predates
// SDK generation by the language host (`pulumi package gen-sdk --language go`); this runs the same
// Go code generator (pkg/v3/codegen/go at v3.137.0, the version of the Node.js host's generator).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// sdkVersion is the Go SDK the generated code is written for; projects may require a newer one.
const sdkVersion = "v3.137.0"

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	module := flag.String("module", "", "module path of the generated SDK, e.g. polytomic.local/sdk")
	out := flag.String("out", "", "directory to write the SDK module into (replaced)")
	flag.Parse()
	if *schemaPath == "" || *module == "" || *out == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := generate(*schemaPath, *module, *out); err != nil {
		fmt.Fprintf(os.Stderr, "gen-go-sdk: %v\n", err)
		os.Exit(1)
	}
}

func generate(schemaPath, module, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The package's Go import path is chosen here, not in the schema: the SDK is a local module
	// that the project's go.mod replaces with a path, so it must not name a real repository.
	var goInfo gogen.GoPackageInfo
	if raw, ok := spec.Language["go"]; ok {
		if err := json.Unmarshal(raw, &goInfo); err != nil {
			return fmt.Errorf("%s: language.go: %w", schemaPath, err)
		}
	} else if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	goInfo.ImportBasePath = module + "/" + spec.Name
	goInfo.ModulePath = module
	raw, err := json.Marshal(goInfo)
	if err != nil {
		return err
	}
	spec.Language["go"] = raw

	pkg, diags, err := schema.BindSpec(spec, nil)
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := gogen.GeneratePackage("polytomic-components gen-go-sdk", pkg, nil)
	if err != nil {
		return err
	}
	files["go.mod"] = []byte(fmt.Sprintf(
		"module %s\n\ngo 1.21\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n", module, sdkVersion))

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
