package awsmodel

import (
	"fmt"
	"maps"
	"slices"

	"github.com/openwan/openwan-infra/internal/model"
)

// Finding is one thing AWS's models say is wrong with a resource's inputs.
type Finding struct {
	// URN is the resource at fault.
	URN string
	// Message names the API call, the field, the value and what the model allows.
	Message string
}

// Judge runs every AWS resource of a plan through its API calls and checks each against the
// service's model, and every action of every policy document against the models' operations.
// A resource type with no mapping is itself a finding, so a new type cannot slip past unjudged.
// What only AWS's documentation states is not in the models: those rules are the project's own
// (documentedRules lists them and where each is checked).
func Judge(resources []model.Resource) ([]Finding, error) {
	mappings := Mappings()
	byURN := make(map[string]model.Resource, len(resources))
	for _, r := range resources {
		byURN[r.URN] = r
	}
	var out []Finding
	for _, r := range resources {
		if NotAWS(r) {
			continue
		}
		mapping, ok := mappings[r.Type]
		if !ok {
			out = append(out, Finding{r.URN, fmt.Sprintf("%s has no mapping to AWS API calls: add one to internal/awsmodel", r.Type)})
			continue
		}
		for _, call := range mapping(r) {
			svc, err := LoadService(call.Service)
			if err != nil {
				return nil, err
			}
			for _, msg := range svc.Check(call.Operation, call.Input) {
				out = append(out, Finding{r.URN, fmt.Sprintf("%s %s", call.Service, msg)})
			}
		}
		for _, msg := range documentedRules(r, byURN) {
			out = append(out, Finding{r.URN, "AWS documentation: " + msg})
		}
		docs := PolicyDocuments(r)
		for _, key := range slices.Sorted(maps.Keys(docs)) {
			msgs, err := CheckActions(docs[key])
			if err != nil {
				out = append(out, Finding{r.URN, fmt.Sprintf("%s: %v", key, err)})
			}
			for _, msg := range msgs {
				out = append(out, Finding{r.URN, key + ": " + msg})
			}
		}
	}
	return out, nil
}
