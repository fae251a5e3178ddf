package components_test

import (
	"strconv"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"

	"github.com/openwan/openwan-infra/components/kube"
	"github.com/openwan/openwan-infra/internal/componenttest"
	"github.com/openwan/openwan-infra/internal/model"
)

func kubeValidQueueScalerArgs() *kube.QueueScalerArgs {
	return &kube.QueueScalerArgs{
		Namespace: pulumi.String("openwan"), DeploymentName: pulumi.String("openwan-worker"), HPAName: "openwan-worker-hpa",
		Autoscaling: kube.Autoscaling{MinReplicas: 2, MaxReplicas: 9, CPUPercent: 75, MemoryPercent: 85,
			ScaleUp:   kube.Behavior{SelectPolicy: "Max", Policies: []kube.Policy{{Type: "Pods", Value: 2, PeriodSeconds: 30}}},
			ScaleDown: kube.Behavior{StabilizationSeconds: 600, SelectPolicy: "Min", Policies: []kube.Policy{{Type: "Pods", Value: 1, PeriodSeconds: 120}}}},
		QueueName: "transcode", MessagesPerReplica: 40, PollingSeconds: 10,
		SecretName: "openwan-secrets", HostSecretKey: "RABBITMQ_URL",
	}
}

func TestQueueScalerArgsRefusals(t *testing.T) {
	componenttest.Refusals(t, kubeValidQueueScalerArgs, kubeValidation(t, kube.NewQueueScaler, "queue scaler", "openwan-worker"), []componenttest.Refusal[kube.QueueScalerArgs]{
		{Name: "every bad field at once, not only the first", Change: func(a *kube.QueueScalerArgs) {
			*a = kube.QueueScalerArgs{Autoscaling: kube.Autoscaling{MinReplicas: 2, MaxReplicas: 1, CPUPercent: 50, MemoryPercent: 50,
				ScaleUp: kube.Behavior{SelectPolicy: "Disabled"}, ScaleDown: kube.Behavior{SelectPolicy: "Disabled"}}}
		}, Fields: []string{"Namespace", "DeploymentName", "HPAName", "QueueName", "SecretName", "HostSecretKey",
			"Autoscaling.MaxReplicas", "MessagesPerReplica", "PollingSeconds"}},
		{Name: "unknown policy type", Change: func(a *kube.QueueScalerArgs) { a.ScaleUp.Policies[0].Type = "Replicas" },
			Fields: []string{"Autoscaling.ScaleUp.Policies[0].Type"}},
	})
}

func TestQueueScalerRefusedDeclaresNothing(t *testing.T) {
	componenttest.DeclareRefused(t, kube.NewQueueScaler, "openwan-worker", &kube.QueueScalerArgs{})
}

func TestQueueScalerDeclares(t *testing.T) {
	args := kubeValidQueueScalerArgs()
	p := componenttest.Declare(t, kube.NewQueueScaler, "openwan-worker", args)
	spec := func(path string) any {
		return componenttest.Input(t, p, model.TypeKEDAScaledObject, "openwan-worker", "spec."+path)
	}
	assert.EqualValues(t, args.MinReplicas, spec("minReplicaCount"), "MinReplicas")
	assert.EqualValues(t, args.MaxReplicas, spec("maxReplicaCount"), "MaxReplicas")
	assert.EqualValues(t, args.PollingSeconds, spec("pollingInterval"), "PollingSeconds")
	assert.Equal(t, args.HPAName, spec("advanced.horizontalPodAutoscalerConfig.name"), "runbooks find KEDA's HPA by HPAName")
	assert.EqualValues(t, args.ScaleDown.StabilizationSeconds,
		spec("advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds"), "the scale-down behavior passes through")
	assert.Equal(t, strconv.Itoa(args.CPUPercent), spec("triggers.0.metadata.value"), "the CPU trigger's target")
	assert.Equal(t, strconv.Itoa(args.MemoryPercent), spec("triggers.1.metadata.value"), "the memory trigger's target")
	assert.Equal(t, args.QueueName, spec("triggers.2.metadata.queueName"), "the queue trigger reads QueueName")
	assert.Equal(t, strconv.Itoa(args.MessagesPerReplica), spec("triggers.2.metadata.value"), "MessagesPerReplica per pod")
	assert.Equal(t, args.HostSecretKey, componenttest.Input(t, p, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication", "openwan-worker-rabbitmq",
		"spec.secretTargetRef.0.key"), "the broker URL comes from the Secret's HostSecretKey")
}
