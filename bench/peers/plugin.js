// Runs serverless-plugin-canary-deployments on a compiled Serverless Framework template, in-process.
//
// Usage: node plugin.js FILE [--reps R] [--warmup W] [--output OUT]
//        node plugin.js --self-check
//
// FILE holds {"service": <serverless.yml content>, "template": <compiled CloudFormation>}, as written
// by `canary-bench generate`. Each repetition is what the plugin's hook costs on JSON text:
// JSON.parse, the plugin's `addCanaryDeploymentResources` (its only hook,
// 'after:aws:package:finalize:mergeCustomProviderResources'), JSON.stringify, timed as wall time and
// as the process's CPU time (which includes V8's garbage-collector threads). The timed section
// excludes Node start-up and module loading; bench/run.py times the whole process from outside.
//
// The plugin needs only a small part of the framework: `serverless.service` (functions, custom,
// provider.compiledCloudFormationTemplate, getAllFunctions, getFunction) and the AWS provider's
// `getStage` and `naming` (getStackName, getLambdaLogicalId, getRoleLogicalId,
// normalizeNameToAlphaNumericOnly). Those are rebuilt below with the framework's own naming rules;
// `--self-check` runs the plugin's published fixtures through them and compares with its expected
// outputs, so the stand-in is known to behave as the framework does.
'use strict'

const fs = require('fs')
const path = require('path')
const assert = require('assert')
const Plugin = require('serverless-plugin-canary-deployments')

// The framework's naming (lib/plugins/aws/lib/naming.js).
const normalizeName = name => `${name.charAt(0).toUpperCase()}${name.slice(1)}`
const normalizeNameToAlphaNumericOnly = name => normalizeName(name.replace(/[^0-9A-Za-z]/g, ''))
const getNormalizedFunctionName = name => normalizeName(name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore'))

function makeServerless (serviceConfig, template, stage) {
  const service = Object.assign({}, serviceConfig)
  service.provider = Object.assign({}, serviceConfig.provider, { compiledCloudFormationTemplate: template })
  service.getAllFunctions = () => Object.keys(service.functions || {})
  service.getFunction = name => service.functions[name]
  const naming = {
    getStackName: () => `${service.service}-${stage}`,
    normalizeNameToAlphaNumericOnly,
    getLambdaLogicalId: name => `${getNormalizedFunctionName(name)}LambdaFunction`,
    getRoleLogicalId: () => 'IamRoleLambdaExecution'
  }
  const provider = { naming, getStage: () => stage }
  return { service, getProvider: () => provider }
}

function once (text) {
  const { service, template } = JSON.parse(text)
  const stage = (service.provider && service.provider.stage) || 'dev'
  const serverless = makeServerless(service, template, stage)
  const plugin = new Plugin(serverless, { stage })
  plugin.addCanaryDeploymentResources()
  return { serialized: JSON.stringify(template), template }
}

function selfCheck () {
  const dir = path.join(path.dirname(require.resolve('serverless-plugin-canary-deployments')), 'fixtures')
  const cases = {}
  for (const file of fs.readdirSync(dir)) {
    const [name, kind] = file.split('.')
    cases[name] = Object.assign(cases[name] || {}, { [kind]: JSON.parse(fs.readFileSync(path.join(dir, file))) })
  }
  let passed = 0
  let failed = 0
  for (const [name, { service, input, output }] of Object.entries(cases)) {
    const text = JSON.stringify({ service: Object.assign({ provider: { stage: 'dev' } }, service), template: input })
    try {
      assert.deepStrictEqual(once(text).template, output)
      passed++
    } catch (err) {
      failed++
      console.error(`fixture ${name}: ${err.message.split('\n')[0]}`)
    }
  }
  console.log(`${passed} passed, ${failed} failed`)
  return failed === 0 ? 0 : 1
}

function main (argv) {
  if (argv[0] === '--self-check') return selfCheck()
  const file = argv[0]
  const opt = (flag, dflt) => { const i = argv.indexOf(flag); return i >= 0 ? argv[i + 1] : dflt }
  const reps = parseInt(opt('--reps', '1'), 10)
  const warmup = parseInt(opt('--warmup', '0'), 10)
  const output = opt('--output', null)
  const text = fs.readFileSync(file, 'utf8')
  for (let i = 0; i < warmup; i++) once(text)
  const times = []
  const cpu = []
  let res
  for (let i = 0; i < reps; i++) {
    const start = process.hrtime.bigint()
    const startCpu = process.cpuUsage()
    res = once(text)
    const used = process.cpuUsage(startCpu)
    cpu.push((used.user + used.system) / 1e6)
    times.push(Number(process.hrtime.bigint() - start) / 1e9)
  }
  if (output) fs.writeFileSync(output, res.serialized)
  const resources = Object.values(res.template.Resources)
  console.log(JSON.stringify({
    times_s: times,
    cpu_s: cpu,
    input_bytes: text.length,
    output_bytes: res.serialized.length,
    resources: resources.length,
    deployment_groups: resources.filter(r => r.Type === 'AWS::CodeDeploy::DeploymentGroup').length
  }))
  return 0
}

process.exitCode = main(process.argv.slice(2))
