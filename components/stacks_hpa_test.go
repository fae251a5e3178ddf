package components_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
	"github.com/openwan/openwan-infra/internal/model"
	"github.com/openwan/openwan-infra/internal/plan"
)

// hpaNumbers are the numbers of one autoscaler: replica bounds, CPU and memory targets (percent)
// and the scale-down and scale-up stabilization windows (s).
type hpaNumbers struct {
	min, max, cpu, memory, down, up float64
}

// serviceHPA is what a service's config asks of its autoscaler.
func serviceHPA(s config.Service) hpaNumbers {
	return hpaNumbers{
		min: float64(s.Replicas.Min), max: float64(s.Replicas.Max),
		cpu: float64(s.Targets.CPUPercent), memory: float64(s.Targets.MemoryPercent),
		down: float64(s.ScaleDown.StabilizationSeconds), up: float64(s.ScaleUp.StabilizationSeconds),
	}
}

// readHPA reads a declared HPA's numbers, checking that it scales on CPU, then memory.
func readHPA(t *testing.T, p *plan.Plan, name string) hpaNumbers {
	t.Helper()
	num := func(path string) float64 {
		v := input(t, p, hpaType, name, path)
		n, ok := v.(float64)
		require.True(t, ok, "%s %s = %v (%T), want a number", name, path, v, v)
		return n
	}
	for i, metric := range []string{"cpu", "memory"} {
		assert.Equal(t, metric, input(t, p, hpaType, name, fmt.Sprintf("spec.metrics.%d.resource.name", i)),
			"%s metric %d scales on %s", name, i, metric)
	}
	return hpaNumbers{
		min:    num("spec.minReplicas"),
		max:    num("spec.maxReplicas"),
		cpu:    num("spec.metrics.0.resource.target.averageUtilization"),
		memory: num("spec.metrics.1.resource.target.averageUtilization"),
		down:   num("spec.behavior.scaleDown.stabilizationWindowSeconds"),
		up:     num("spec.behavior.scaleUp.stabilizationWindowSeconds"),
	}
}

// readScaledObject reads a declared KEDA ScaledObject's numbers as readHPA reads an HPA's,
// checking that its triggers are CPU, then memory.
func readScaledObject(t *testing.T, p *plan.Plan, name string) hpaNumbers {
	t.Helper()
	num := func(path string) float64 {
		v := input(t, p, scaledObjectType, name, path)
		if text, ok := v.(string); ok { // trigger metadata are strings
			n, err := strconv.ParseFloat(text, 64)
			require.NoError(t, err, "%s %s = %q, want a number", name, path, text)
			return n
		}
		n, ok := v.(float64)
		require.True(t, ok, "%s %s = %v (%T), want a number", name, path, v, v)
		return n
	}
	for i, trigger := range []string{"cpu", "memory"} {
		assert.Equal(t, trigger, input(t, p, scaledObjectType, name, fmt.Sprintf("spec.triggers.%d.type", i)),
			"%s trigger %d scales on %s", name, i, trigger)
	}
	const behavior = "spec.advanced.horizontalPodAutoscalerConfig.behavior."
	return hpaNumbers{
		min:    num("spec.minReplicaCount"),
		max:    num("spec.maxReplicaCount"),
		cpu:    num("spec.triggers.0.metadata.value"),
		memory: num("spec.triggers.1.metadata.value"),
		down:   num(behavior + "scaleDown.stabilizationWindowSeconds"),
		up:     num(behavior + "scaleUp.stabilizationWindowSeconds"),
	}
}

// TestAutoscalerOutputsShowWhatIsDeclared: each service's output (apiHpa, workerHpa) shows the
// numbers of the autoscaler the stack declares for its Deployment: its HPA's, or where KEDA scales
// it on the queue its ScaledObject's and the queue target. Prod has both kinds, dev HPAs alone.
func TestAutoscalerOutputsShowWhatIsDeclared(t *testing.T) {
	for _, stack := range []string{"prod", "dev"} {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			require.False(t, cfg.API.QueueScaling.Enabled, "precondition: %s's API has an HPA", stack)
			require.Equal(t, stack == "prod", cfg.Worker.QueueScaling.Enabled, "precondition: KEDA scales prod's workers alone")
			p := runStack(t, stack, true)
			for _, s := range []struct {
				output, name string
				svc          config.Service
			}{{"apiHpa", "openwan-api", cfg.API}, {"workerHpa", "openwan-worker", cfg.Worker}} {
				got := hpaNumbers{
					min: outputNumber(t, p, s.output+".minReplicas"), max: outputNumber(t, p, s.output+".maxReplicas"),
					cpu: outputNumber(t, p, s.output+".cpuPercent"), memory: outputNumber(t, p, s.output+".memoryPercent"),
					down: outputNumber(t, p, s.output+".scaleDownStabilizationSeconds"),
					up:   outputNumber(t, p, s.output+".scaleUpStabilizationSeconds"),
				}
				queue := s.output + ".queueMessagesPerReplica"
				if !s.svc.QueueScaling.Enabled {
					assert.Equal(t, readHPA(t, p, s.name+"-hpa"), got, "%s shows %s-hpa", s.output, s.name)
					_, err := model.Lookup(p.Outputs, queue)
					assert.Error(t, err, "%s: no queue target without KEDA", s.output)
					continue
				}
				assert.Equal(t, readScaledObject(t, p, s.name), got, "%s shows the ScaledObject %s", s.output, s.name)
				assert.Equal(t, input(t, p, scaledObjectType, s.name, "spec.triggers.2.metadata.value"), strconv.Itoa(int(outputNumber(t, p, queue))),
					"%s shows the queue trigger's messages per pod", s.output)
			}
		})
	}
}

// TestHPAsCarryTheStackNumbers runs every shipped stack: each service without queue scaling gets
// one HPA with its stack's bounds, targets and windows; a service scaled on its queue gets KEDA's
// ScaledObject instead (TestProdWorkersScaleOnTheQueue), never a second autoscaler.
func TestHPAsCarryTheStackNumbers(t *testing.T) {
	for _, stack := range shippedStacks(t) {
		t.Run(stack, func(t *testing.T) {
			cfg := configtest.Stack(t, stack)
			want := map[string]hpaNumbers{}
			if cfg.Cluster.Enabled {
				for name, svc := range map[string]config.Service{"openwan-api-hpa": cfg.API, "openwan-worker-hpa": cfg.Worker} {
					if !svc.QueueScaling.Enabled {
						want[name] = serviceHPA(svc)
					}
				}
			}
			eachMode(t, func(t *testing.T, dryRun bool) {
				p := runStack(t, stack, dryRun)
				assert.Len(t, p.Find(hpaType), len(want), "one HPA per service without queue scaling: %v", want)
				for name, w := range want {
					assert.Equal(t, w, readHPA(t, p, name), "%s carries Pulumi.%s.yaml's numbers", name, stack)
				}
			})
		})
	}
}

// TestProdAPIHPAIsTheGuides pins prod's API autoscaler to the guide's "API Service HPA": 2 to 20
// replicas at 70 % CPU and 80 % memory, scale-down stabilized over 300 s, scale-up at once. The
// literals are the specification. Prod's workers scale through KEDA on the guide's worker numbers
// (TestProdWorkersScaleOnTheQueue), so the API's is prod's only HPA.
func TestProdAPIHPAIsTheGuides(t *testing.T) {
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		assert.Len(t, p.Find(hpaType), 1, "prod's only HPA is the API's; its workers have a ScaledObject")
		assert.Equal(t, hpaNumbers{min: 2, max: 20, cpu: 70, memory: 80, down: 300, up: 0}, readHPA(t, p, "openwan-api-hpa"),
			"the guide's API Service HPA")
	})
}

// policyJSON is a config scaling policy as the HPA behavior declares it.
func policyJSON(p config.ScalingPolicy) map[string]any {
	return map[string]any{"type": p.Type, "value": p.Value, "periodSeconds": p.PeriodSeconds}
}

// TestScalePoliciesAreAggressiveOutConservativeIn checks prod's HPA behaviors, the API's on its
// HPA and the workers' on the HPA KEDA manages: every policy of the config in order, and the
// guide's "Aggressive Scale-Out, Conservative Scale-In": each direction's policies of one type
// allow more change per second going out than going in.
func TestScalePoliciesAreAggressiveOutConservativeIn(t *testing.T) {
	cfg := configtest.Prod(t)
	p := runStack(t, "prod", false)
	tests := []struct {
		name, typ, behavior string
		svc                 config.Service
	}{
		{"openwan-api-hpa", hpaType, "spec.behavior", cfg.API},
		{"openwan-worker", scaledObjectType, "spec.advanced.horizontalPodAutoscalerConfig.behavior", cfg.Worker},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for dir, b := range map[string]config.Behavior{"scaleUp": tt.svc.ScaleUp, "scaleDown": tt.svc.ScaleDown} {
				require.NotEmpty(t, b.Policies, "prod's %s %s has policies", tt.name, dir)
				path := tt.behavior + "." + dir + ".policies"
				assert.Len(t, input(t, p, tt.typ, tt.name, path), len(b.Policies), "%s %s: one policy per configured policy", tt.name, dir)
				for i, policy := range b.Policies {
					runChecks(t, p, []check{{tt.typ, tt.name, fmt.Sprintf("%s.%d", path, i), policyJSON(policy)}})
				}
			}
			rate := func(p config.ScalingPolicy) float64 { return float64(p.Value) / float64(p.PeriodSeconds) }
			for _, down := range tt.svc.ScaleDown.Policies {
				for _, up := range tt.svc.ScaleUp.Policies {
					if up.Type == down.Type {
						assert.Greater(t, rate(up), rate(down),
							"%s: scaling out by %+v must be faster than scaling in by %+v", tt.name, up, down)
					}
				}
			}
			assert.Less(t, tt.svc.ScaleUp.StabilizationSeconds, tt.svc.ScaleDown.StabilizationSeconds,
				"%s: scale-in waits longer than scale-out", tt.name)
		})
	}
}

// TestProdWorkersScaleOnTheQueue pins the guide's queue-driven worker scaling: one ScaledObject
// with the CPU, memory and queue-length triggers, the worker's bounds and behavior, the RabbitMQ
// URL from the app's Secret, and no plain HPA next to it. The guide's "Worker Service HPA" (2 to
// 10 replicas, 75 % CPU, 85 % memory, scale-down over 600 s) and "Queue depth > 50 messages per
// worker" are the specification, so they stand as literals; the rest comes from Pulumi.prod.yaml.
func TestProdWorkersScaleOnTheQueue(t *testing.T) {
	cfg := configtest.Prod(t)
	require.True(t, cfg.Worker.QueueScaling.Enabled, "Pulumi.prod.yaml scales the workers on the queue")
	// KEDA and the EC2 workers' backlog policy read one queue: the one the workers consume.
	assert.Equal(t, cfg.EC2.Worker.Queue.Dimensions["Queue"], cfg.App.QueueName,
		"openwan:ec2.worker.queue.dimensions.Queue names openwan:app.queueName")
	eachMode(t, func(t *testing.T, dryRun bool) {
		p := runStack(t, "prod", dryRun)
		_, err := p.Get(hpaType, "openwan-worker-hpa")
		assert.Error(t, err, "prod must not declare a plain worker HPA next to the ScaledObject")
		so := "openwan-worker"
		runChecks(t, p, []check{
			{scaledObjectType, so, "spec.scaleTargetRef.name", "openwan-worker"},
			{scaledObjectType, so, "spec.minReplicaCount", 2},
			{scaledObjectType, so, "spec.maxReplicaCount", 10},
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.name", "openwan-worker-hpa"},
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds", 600},
			// Not the guide's (it gives the workers none): a minute so single jobs do not flap
			// the pool (config/defaults.go, simulation's TestProdDoesNotFlap).
			{scaledObjectType, so, "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds", 60},
			{scaledObjectType, so, "spec.triggers.0.type", "cpu"},
			{scaledObjectType, so, "spec.triggers.0.metadata.value", "75"},
			{scaledObjectType, so, "spec.triggers.1.type", "memory"},
			{scaledObjectType, so, "spec.triggers.1.metadata.value", "85"},
			{scaledObjectType, so, "spec.triggers.2.type", "rabbitmq"},
			{scaledObjectType, so, "spec.triggers.2.metadata.queueName", cfg.App.QueueName},
			{scaledObjectType, so, "spec.triggers.2.metadata.mode", "QueueLength"},
			{scaledObjectType, so, "spec.triggers.2.metadata.value", "50"},
			{scaledObjectType, so, "spec.triggers.2.authenticationRef.name", "openwan-worker-rabbitmq"},
			{"kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "openwan-worker-rabbitmq", "spec.secretTargetRef.0",
				map[string]any{"parameter": "host", "name": cfg.App.SecretName, "key": cfg.Worker.QueueScaling.HostSecretKey}},
			{releaseType, "keda-release", "version", cfg.Cluster.KEDA.ChartVersion},
			{releaseType, "keda-release", "namespace", "keda"},
		})
	})
}
