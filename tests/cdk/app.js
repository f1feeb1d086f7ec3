// A CDK app as docs/cdk.md tells a user to write it, in JavaScript so that node runs it without a
// TypeScript compiler: two marked functions behind an API and a queue, and a third function whose
// alias uses CDK's own `currentVersion`. tests/cdk.rs synthesises it (no account: the environment
// is left unresolved) and expands the template CDK wrote.
//
//   node tests/cdk/app.js OUTDIR
'use strict';

const path = require('path');
const cdk = require('aws-cdk-lib');
const lambda = require('aws-cdk-lib/aws-lambda');
const apigateway = require('aws-cdk-lib/aws-apigateway');
const sqs = require('aws-cdk-lib/aws-sqs');
const { SqsEventSource } = require('aws-cdk-lib/aws-lambda-event-sources');

class ServiceStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);
    cdk.Stack.of(this).addTransform('CanaryDeployments');

    const code = lambda.Code.fromInline('def handler(event, context):\n    return {"statusCode": 200}\n');
    const api = new lambda.Function(this, 'Api', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code });
    api.node.defaultChild.addMetadata('CanaryDeployment', { Type: 'Canary10Percent5Minutes', Alias: 'live' });

    const worker = new lambda.Function(this, 'Worker', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code });
    worker.node.defaultChild.addMetadata('CanaryDeployment', { Type: 'Linear10PercentEvery1Minute' });

    const rest = new apigateway.RestApi(this, 'Rest');
    rest.root.addResource('hello').addMethod('GET', new apigateway.LambdaIntegration(api));

    const queue = new sqs.Queue(this, 'Queue', { visibilityTimeout: cdk.Duration.seconds(60) });
    worker.addEventSource(new SqsEventSource(queue));

    if (process.env.WITH_CURRENT_VERSION === '1') {
      const versioned = new lambda.Function(this, 'Versioned', { runtime: lambda.Runtime.PYTHON_3_13, handler: 'index.handler', code });
      versioned.node.defaultChild.addMetadata('CanaryDeployment', { Type: 'AllAtOnce' });
      new lambda.Alias(this, 'VersionedLive', { aliasName: 'Live', version: versioned.currentVersion });
    }
  }
}

const app = new cdk.App({ outdir: path.resolve(process.argv[2] || 'cdk.out') });
new ServiceStack(app, 'CanaryService');
app.synth();
