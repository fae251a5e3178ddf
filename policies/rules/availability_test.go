package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/internal/model"
)

const (
	hpaOK = `{"metadata": {"name": "openwan-api-hpa", "namespace": "openwan"},
		"spec": {"minReplicas": 2, "maxReplicas": 20,
			"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "openwan-api"},
			"metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
			"behavior": {"scaleUp": {"stabilizationWindowSeconds": 0}, "scaleDown": {"stabilizationWindowSeconds": 300}}}}`
	deploymentOK = `{"metadata": {"name": "openwan-api", "namespace": "openwan"},
		"spec": {"selector": {"matchLabels": {"app": "api"}},
			"template": {"metadata": {"labels": {"app": "api", "tier": "web"}},
				"spec": {"terminationGracePeriodSeconds": 60, "securityContext": {"runAsNonRoot": true},
					"containers": [{"name": "api", "readinessProbe": {"httpGet": {"path": "/ready"}},
						"lifecycle": {"preStop": {"sleep": {"seconds": 15}}},
						"securityContext": {"allowPrivilegeEscalation": false},
						"resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}}]}}}}`
	pdbOK = `{"metadata": {"name": "openwan-api-pdb", "namespace": "openwan"},
		"spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "api"}}}}`
)

func TestMinCapacity(t *testing.T) {
	minimum := defaults(t, "min-capacity").Number("minimum")
	// belowMinimum is the message for what, a lower bound and its value, under the minimum want.
	belowMinimum := func(what string, want float64) string {
		return fmt.Sprintf("%s, below the minimum of %s; raise it to at least %s (the stack config's min)", what, fmtNum(want), fmtNum(want))
	}
	const configured = 3.0
	runRuleCases(t, "min-capacity", []ruleCase{
		{name: "two replicas and instances comply", resources: []model.Resource{
			res(model.TypeK8sHPA, "api", hpaOK),
			res(model.TypeAutoscalingGroup, "asg", `{"minSize": 2, "maxSize": 10}`),
		}},
		{name: "HPA min 1 in prod", resources: []model.Resource{
			res(model.TypeK8sHPA, "api", `{"metadata": {"name": "openwan-api-hpa"}, "spec": {"minReplicas": 1, "maxReplicas": 20}}`),
		}, want: []string{belowMinimum("HorizontalPodAutoscaler openwan-api-hpa: spec.minReplicas is 1", minimum)}},
		{name: "HPA without minReplicas runs one pod", resources: []model.Resource{
			res(model.TypeK8sHPA, "api", `{"metadata": {"name": "openwan-api-hpa"}, "spec": {"maxReplicas": 20}}`),
		}, want: []string{belowMinimum("HorizontalPodAutoscaler openwan-api-hpa: spec.minReplicas is 1 (unset, so the autoscaler's default)", minimum)}},
		{name: "ScaledObject without minReplicaCount scales to zero", resources: []model.Resource{
			res(model.TypeKEDAScaledObject, "so", `{"metadata": {"name": "w"}, "spec": {"maxReplicaCount": 10}}`),
		}, want: []string{belowMinimum("ScaledObject w: spec.minReplicaCount is 0 (unset, so the autoscaler's default)", minimum)}},
		{name: "a minimum not known before deploy is not judged", resources: []model.Resource{
			res(model.TypeK8sHPA, "api", `{"metadata": {"name": "h"}, "spec": {"minReplicas": "[unknown]", "maxReplicas": 20}}`),
		}},
		{name: "group and night schedule at 1", resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "asg", `{"minSize": 1, "maxSize": 10}`),
			res(model.TypeAutoscalingSchedule, "night", `{"minSize": 1, "maxSize": 4, "desiredCapacity": 1}`),
		}, want: []string{
			belowMinimum("Group asg: minSize is 1", minimum),
			belowMinimum("Schedule night: minSize is 1", minimum),
		}},
		{name: "a configured minimum of 3", config: Config{"min-capacity": {Params: map[string]any{"minimum": configured}}}, resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "asg", `{"minSize": 2, "maxSize": 10}`),
		}, want: []string{belowMinimum("Group asg: minSize is 2", configured)}},
		{name: "KEDA ScaledObject min 1", resources: []model.Resource{
			res(model.TypeKEDAScaledObject, "so", `{"metadata": {"name": "openwan-worker"}, "spec": {"minReplicaCount": 1, "maxReplicaCount": 10}}`),
		}, want: []string{belowMinimum("ScaledObject openwan-worker: spec.minReplicaCount is 1", minimum)}},
		{name: "unknown bounds are not judged", resources: []model.Resource{
			res(model.TypeAutoscalingGroup, "asg", `{"minSize": "[unknown]", "maxSize": 10}`),
		}},
	})
}

func TestMinCapacityIsMandatoryOnlyInProduction(t *testing.T) {
	r := ruleNamed(t, "min-capacity")
	for _, tc := range []struct {
		environment string
		want        Level
		why         string
	}{
		{"production", Mandatory, "the rule is strict in production"},
		{"development", Advisory, "elsewhere the rule keeps its own level"},
		{"staging", Advisory, "elsewhere the rule keeps its own level"},
	} {
		assert.Equal(t, tc.want, (Config{}).Level(r, tc.environment), "min-capacity in %s with no config: %s", tc.environment, tc.why)
	}
	assert.Equal(t, Advisory, (Config{"min-capacity": {Level: Advisory}}).Level(r, "production"),
		"a level configured for the rule wins over production's strictness")
}

// TestEnvironmentOf: a stack is what it declares, production when it declares nothing; its
// name plays no part.
func TestEnvironmentOf(t *testing.T) {
	assert.Equal(t, "production", EnvironmentOf(nil), "no openwan:app: the default")
	assert.Equal(t, "production", EnvironmentOf(map[string]string{"openwan:app": `{"s3Bucket": "b"}`}), "no environment: the default")
	assert.Equal(t, "development", EnvironmentOf(map[string]string{"openwan:app": `{"environment": "development"}`}))
}

func TestMaxNotBelowMin(t *testing.T) {
	runRuleCases(t, "max-not-below-min", []ruleCase{
		{name: "equal bounds comply", resources: []model.Resource{res(model.TypeAutoscalingGroup, "asg", `{"minSize": 4, "maxSize": 4}`)}},
		{name: "inverted HPA", resources: []model.Resource{
			res(model.TypeK8sHPA, "w", `{"metadata": {"name": "openwan-worker-hpa"}, "spec": {"minReplicas": 5, "maxReplicas": 3}}`),
		}, want: []string{"HorizontalPodAutoscaler openwan-worker-hpa: spec.maxReplicas 3 is below spec.minReplicas 5; set max >= min"}},
		{name: "inverted node group", resources: []model.Resource{
			res(model.TypePulumiEKSManagedNodeGroup, "workers", `{"scalingConfig": {"minSize": 3, "maxSize": 2}}`),
		}, want: []string{"ManagedNodeGroup workers: scalingConfig.maxSize 2 is below scalingConfig.minSize 3; set max >= min"}},
	})
}

func TestAutoscalerOwnsReplicas(t *testing.T) {
	fixed := res(model.TypeK8sDeployment, "api", deploymentOK)
	fixed.Inputs["spec"].(map[string]any)["replicas"] = 3.0 // the messages below quote it
	other := res(model.TypeK8sDeployment, "other", `{"metadata": {"name": "unscaled"}, "spec": {"replicas": 1}}`)
	runRuleCases(t, "autoscaler-owns-replicas", []ruleCase{
		{name: "no replicas under an HPA", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK), other}},
		{name: "fixed replicas under an HPA", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), fixed}, want: []string{
			"Deployment openwan-api: sets spec.replicas 3 but HorizontalPodAutoscaler openwan-api-hpa owns its replica count; leave spec.replicas unset",
		}},
		{name: "fixed replicas under a ScaledObject", resources: []model.Resource{
			res(model.TypeKEDAScaledObject, "so", `{"metadata": {"name": "w", "namespace": "openwan"}, "spec": {"scaleTargetRef": {"name": "openwan-api"}}}`), fixed,
		}, want: []string{
			"Deployment openwan-api: sets spec.replicas 3 but ScaledObject w owns its replica count; leave spec.replicas unset",
		}},
		{name: "an HPA in another namespace does not own it", resources: []model.Resource{
			res(model.TypeK8sHPA, "hpa", `{"metadata": {"name": "h", "namespace": "other"}, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "openwan-api"}}}`), fixed,
		}},
	})
}

func TestDisruptionBudget(t *testing.T) {
	runRuleCases(t, "scaled-workload-disruption-budget", []ruleCase{
		{name: "PDB selects the pods", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK), res(model.TypeK8sPodDisruptionBudget, "pdb", pdbOK)}},
		{name: "PDB selects other pods", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK),
			res(model.TypeK8sPodDisruptionBudget, "pdb", `{"spec": {"selector": {"matchLabels": {"app": "worker"}}}}`)},
			want: []string{"Deployment openwan-api: no PodDisruptionBudget selects its pods; add one with maxUnavailable 1 over its labels"}},
		{name: "no PDB", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK)},
			want: []string{"Deployment openwan-api: no PodDisruptionBudget selects its pods; add one with maxUnavailable 1 over its labels"}},
	})
}

func TestGracefulShutdown(t *testing.T) {
	bare := res(model.TypeK8sDeployment, "api", `{"metadata": {"name": "openwan-api"}, "spec": {"template": {"spec": {"containers": [{"name": "api"}]}}}}`)
	runRuleCases(t, "scaled-workload-graceful", []ruleCase{
		{name: "probe, hook and grace period", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), res(model.TypeK8sDeployment, "api", deploymentOK)}},
		{name: "none of them", resources: []model.Resource{res(model.TypeK8sHPA, "hpa", hpaOK), bare}, want: []string{
			"Deployment openwan-api: no terminationGracePeriodSeconds; set one long enough to finish in-flight work",
			"Deployment openwan-api: container api has no readinessProbe; add one so new pods get traffic only when ready",
			"Deployment openwan-api: container api has no lifecycle.preStop; add a short sleep so endpoints drop the pod before it stops",
		}},
		{name: "an unscaled Deployment is not judged", resources: []model.Resource{bare}},
	})
}
