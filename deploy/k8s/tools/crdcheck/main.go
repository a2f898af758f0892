// crdcheck applies what a Kubernetes API server applies to a custom resource on create, with the
// API server's own code (k8s.io/apiextensions-apiserver): the CRD's structural schema defaulting,
// then its OpenAPI validation and its CEL rules (x-kubernetes-validations) on the defaulted object.
// JSON Schema validators (tests/deploy/deploy_checks.py, kubeconform) do neither.
//
// Input (stdin, JSON): {"schemas": {"<apiVersion> <Kind>": <openAPIV3Schema>}, "objects": [...]}.
// Output (stdout, JSON): one {"id", "errors", "defaulted"} per object, in order. Exit 0 unless the
// input or a schema could not be read (exit 2, the reason on stderr): findings are data, not failures.
//
// Run by tests/deploy/test_deploy_crd_rules.py; build: cd deploy/k8s/tools/crdcheck && go build.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	apiextensions "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
)

type input struct {
	Schemas map[string]json.RawMessage `json:"schemas"`
	Objects []json.RawMessage          `json:"objects"`
}

type result struct {
	ID        string                 `json:"id"`
	Errors    []string               `json:"errors"`
	Defaulted map[string]interface{} `json:"defaulted"`
}

type kind struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "crdcheck: "+format+"\n", args...)
	os.Exit(2)
}

func load(raw json.RawMessage) (*kind, error) {
	v1 := &apiextensionsv1.JSONSchemaProps{}
	if err := json.Unmarshal(raw, v1); err != nil {
		return nil, err
	}
	internal := &apiextensions.JSONSchemaProps{}
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(v1, internal, nil); err != nil {
		return nil, err
	}
	s, err := structuralschema.NewStructural(internal)
	if err != nil {
		return nil, err
	}
	if errs := structuralschema.ValidateStructural(nil, s); len(errs) > 0 {
		return nil, fmt.Errorf("not a structural schema: %v", errs.ToAggregate())
	}
	validator, _, err := apiservervalidation.NewSchemaValidator(internal)
	if err != nil {
		return nil, err
	}
	return &kind{structural: s, validator: validator, cel: cel.NewValidator(s, true, celconfig.PerCallLimit)}, nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail("reading the input: %v", err)
	}
	kinds := map[string]*kind{}
	for key, raw := range in.Schemas {
		k, err := load(raw)
		if err != nil {
			fail("schema %s: %v", key, err)
		}
		kinds[key] = k
	}
	out := []result{}
	for _, raw := range in.Objects {
		// As the API server decodes: integers as int64, not float64 (CEL tells them apart).
		obj := map[string]interface{}{}
		if err := utiljson.Unmarshal(raw, &obj); err != nil {
			fail("an object: %v", err)
		}
		key := fmt.Sprintf("%v %v", obj["apiVersion"], obj["kind"])
		meta, _ := obj["metadata"].(map[string]interface{})
		r := result{ID: fmt.Sprintf("%v/%v", obj["kind"], meta["name"]), Errors: []string{}}
		k, ok := kinds[key]
		if !ok {
			r.Errors = append(r.Errors, "no schema for "+key)
			out = append(out, r)
			continue
		}
		// As the API server does on create: defaults first, then validation of the result.
		structuraldefaulting.Default(obj, k.structural)
		r.Defaulted = obj
		for _, e := range apiservervalidation.ValidateCustomResource(nil, obj, k.validator) {
			r.Errors = append(r.Errors, "schema: "+e.Error())
		}
		errs, _ := k.cel.Validate(context.Background(), field.NewPath(""), k.structural, obj, nil, celconfig.RuntimeCELCostBudget)
		for _, e := range errs {
			r.Errors = append(r.Errors, "cel: "+e.Error())
		}
		out = append(out, r)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail("writing: %v", err)
	}
}
