const YAML=require('yaml');const fs=require('fs');
const d=YAML.parse(fs.readFileSync('src/api/openapi/airflow-2.6.3-openapi-v1.yaml','utf8'));
const names=process.argv.slice(2);
for(const n of names){ if(n.startsWith('/')){const [p,m]=n.split(' ');console.log(n, YAML.stringify(d.paths[p]));} else console.log(n, YAML.stringify(d.components.schemas[n]??d.components.parameters?.[n]));}
